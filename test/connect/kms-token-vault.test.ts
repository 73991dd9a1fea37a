import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient, type DecryptCommandInput, type GenerateDataKeyCommandInput } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KmsTokenVault } from '#lib/connect/kms-token-vault.ts';
import { ConfigError, StoreError } from '#lib/errors.ts';

const KEY_ID = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const pat = { accountId: 'acct-pat' };

/**
 * KMS has no local stand-in: this mock behaves like it where it matters. Data keys are wrapped
 * under a KMS-held key with the encryption context as authenticated data, so Decrypt refuses
 * another context with InvalidCiphertextException, as KMS does.
 */
function fakeKms(kms: ReturnType<typeof mockClient>) {
  const root = randomBytes(32);
  const aad = (ctx: Record<string, string> | undefined) => JSON.stringify(Object.entries(ctx ?? {}).sort());
  const invalid = () => Object.assign(new Error('InvalidCiphertextException'), { name: 'InvalidCiphertextException' });
  kms.on(GenerateDataKeyCommand).callsFake((input: GenerateDataKeyCommandInput) => {
    expect(input.KeySpec).toBe('AES_256');
    const plaintext = randomBytes(32);
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', root, iv).setAAD(Buffer.from(aad(input.EncryptionContext)));
    const blob = Buffer.concat([iv, c.update(plaintext), c.final(), c.getAuthTag()]);
    return { KeyId: input.KeyId, Plaintext: Uint8Array.from(plaintext), CiphertextBlob: Uint8Array.from(blob) };
  });
  kms.on(DecryptCommand).callsFake((input: DecryptCommandInput) => {
    const blob = Buffer.from(input.CiphertextBlob!);
    try {
      const d = createDecipheriv('aes-256-gcm', root, blob.subarray(0, 12)).setAAD(Buffer.from(aad(input.EncryptionContext)));
      d.setAuthTag(blob.subarray(blob.length - 16));
      return { KeyId: input.KeyId, Plaintext: Uint8Array.from(Buffer.concat([d.update(blob.subarray(12, blob.length - 16)), d.final()])) };
    } catch {
      throw invalid();
    }
  });
}

describe('KmsTokenVault', () => {
  const kms = mockClient(KMSClient);
  let vault: KmsTokenVault;
  beforeEach(() => {
    kms.reset();
    fakeKms(kms);
    vault = new KmsTokenVault(new KMSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }), KEY_ID);
  });
  afterEach(() => kms.reset());

  it('seals with a fresh data key bound to the account as encryption context, and opens', async () => {
    const sealed = await vault.seal('1//refresh', pat);
    expect(sealed).toMatch(/^sv1\.kms\./);
    expect(await vault.open(sealed, pat)).toBe('1//refresh');
    const gen = kms.commandCalls(GenerateDataKeyCommand);
    expect(gen).toHaveLength(1);
    expect(gen[0]!.args[0].input).toMatchObject({ KeyId: KEY_ID, KeySpec: 'AES_256', EncryptionContext: pat });
    expect(kms.commandCalls(DecryptCommand)[0]!.args[0].input).toMatchObject({ KeyId: KEY_ID, EncryptionContext: pat });
    await vault.seal('1//refresh', pat);
    expect(kms.commandCalls(GenerateDataKeyCommand)).toHaveLength(2);
  });

  it('refuses a token moved to another account (KMS refuses the context)', async () => {
    const sealed = await vault.seal('1//refresh', pat);
    await expect(vault.open(sealed, { accountId: 'acct-mallory' })).rejects.toThrow(StoreError);
  });

  it('refuses a tampered body even when KMS unwraps the key', async () => {
    const sealed = await vault.seal('1//refresh', pat);
    const at = sealed.length - 5;
    const tampered = sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1);
    await expect(vault.open(tampered, pat)).rejects.toThrow(/could not be opened/);
  });

  it('reports a refused key as configuration, naming the permission', async () => {
    kms.on(GenerateDataKeyCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(vault.seal('1//refresh', pat)).rejects.toThrow(ConfigError);
    await expect(vault.seal('1//refresh', pat)).rejects.toThrow(/kms:GenerateDataKey/);
  });
});
