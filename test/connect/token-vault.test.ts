import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalKeyVault, masterKeyPath } from '#lib/connect/token-vault.ts';
import { ConfigError, StoreError } from '#lib/errors.ts';

const token = '1//0gLq-refresh-token-of-pat';
const pat = { accountId: 'acct-pat' };

function flipChar(text: string, at: number): string {
  return text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
}

describe('LocalKeyVault', () => {
  const vault = LocalKeyVault.fromKey(Buffer.alloc(32, 3));

  it('round-trips a token and never shows it in the sealed form', async () => {
    const sealed = await vault.seal(token, pat);
    expect(sealed).toMatch(/^sv1\.local\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('refresh');
    expect(await vault.open(sealed, pat)).toBe(token);
  });

  it('uses a fresh data key each time: the same token seals differently', async () => {
    const [a, b] = await Promise.all([vault.seal(token, pat), vault.seal(token, pat)]);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
    expect(a.split('.')[3]).not.toBe(b.split('.')[3]);
  });

  it('refuses a token moved to another account', async () => {
    const sealed = await vault.seal(token, pat);
    await expect(vault.open(sealed, { accountId: 'acct-mallory' })).rejects.toThrow(StoreError);
    await expect(vault.open(sealed, { accountId: 'acct-pat', extra: 'x' })).rejects.toThrow(/sealed for another account/);
  });

  it('refuses tampering with the ciphertext or the wrapped key', async () => {
    const sealed = await vault.seal(token, pat);
    const [, , wrapped, body] = sealed.split('.') as [string, string, string, string];
    const bodyAt = sealed.length - body.length + Math.floor(body.length / 2);
    await expect(vault.open(flipChar(sealed, bodyAt), pat)).rejects.toThrow(StoreError);
    // Past the 8-byte key id (11 base64 characters), inside the wrapped data key.
    const wrappedAt = 'sv1.local.'.length + 20;
    expect(wrappedAt).toBeLessThan('sv1.local.'.length + wrapped.length);
    await expect(vault.open(flipChar(sealed, wrappedAt), pat)).rejects.toThrow(StoreError);
    await expect(vault.open(sealed.slice(0, -4), pat)).rejects.toThrow(StoreError);
  });

  it('says so when the master key differs, and refuses other formats', async () => {
    const sealed = await vault.seal(token, pat);
    await expect(LocalKeyVault.fromKey(Buffer.alloc(32, 4)).open(sealed, pat)).rejects.toThrow(/master key file replaced/);
    await expect(vault.open(sealed.replace('sv1.local.', 'sv1.kms.'), pat)).rejects.toThrow(ConfigError);
    await expect(vault.open('not-a-token', pat)).rejects.toThrow(StoreError);
  });

  it('refuses to seal without a context', async () => {
    await expect(vault.seal(token, {})).rejects.toThrow(/context naming its account/);
    await expect(vault.seal(token, { accountId: '' })).rejects.toThrow(/non-empty/);
  });

  it('refuses a master key that is not 256 bits', () => {
    expect(() => LocalKeyVault.fromKey(Buffer.alloc(16))).toThrow(ConfigError);
  });
});

describe('LocalKeyVault.fromFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sinew-vault-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the master key with mode 0600 and reuses it on the next run', async () => {
    const file = masterKeyPath(join(dir, '.sinew'));
    const first = await LocalKeyVault.fromFile(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64')).toHaveLength(32);
    const sealed = await first.seal(token, pat);
    const second = await LocalKeyVault.fromFile(file);
    expect(await second.open(sealed, pat)).toBe(token);
  });

  it('refuses a key file others can read, or one of the wrong size', async () => {
    const file = join(dir, 'master.key');
    await writeFile(file, `${Buffer.alloc(32, 9).toString('base64')}\n`, { mode: 0o644 });
    await chmod(file, 0o644);
    await expect(LocalKeyVault.fromFile(file)).rejects.toThrow(/chmod 600/);
    await writeFile(file, 'c2hvcnQ=\n', { mode: 0o600 });
    await chmod(file, 0o600);
    await expect(LocalKeyVault.fromFile(file)).rejects.toThrow(/32 base64-encoded bytes/);
  });
});
