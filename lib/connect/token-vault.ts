import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError, StoreError } from '#lib/errors.ts';

/**
 * Seals refresh tokens before they reach the store. `context` (at least the account id) is
 * bound to the ciphertext as authenticated data, so a sealed token copied onto another
 * account's item does not open.
 */
export interface TokenVault {
  seal(plaintext: string, context: Record<string, string>): Promise<string>;
  open(sealed: string, context: Record<string, string>): Promise<string>;
}

/** The key-encryption kinds a sealed token can name. */
export type KekKind = 'local' | 'kms';

const PREFIX = 'sv1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;

/**
 * The context as one canonical string (sorted keys), used as AES-GCM additional data and
 * matched by KMS's encryption context. An empty context is refused: an unbound token is
 * exactly what the context exists to prevent.
 */
export function canonicalContext(context: Record<string, string>): string {
  const entries = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) throw new StoreError('a token must be sealed with a context naming its account');
  for (const [k, v] of entries) {
    if (typeof v !== 'string' || v === '') throw new StoreError(`token context '${k}' must be a non-empty string`);
  }
  return JSON.stringify(entries);
}

/** AES-256-GCM with a random IV; returns iv || ciphertext || tag. */
export function gcmEncrypt(key: Uint8Array, plaintext: Uint8Array, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** Inverse of `gcmEncrypt`; throws when the bytes, key or additional data differ. */
export function gcmDecrypt(key: Uint8Array, sealed: Uint8Array, aad: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('ciphertext too short');
  const buf = Buffer.from(sealed);
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
  return Buffer.concat([decipher.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
}

/** `sv1.<kek>.<wrapped data key>.<iv||ciphertext||tag>`, each part base64url. */
export function formatEnvelope(kek: KekKind, wrappedKey: Uint8Array, body: Uint8Array): string {
  return [PREFIX, kek, Buffer.from(wrappedKey).toString('base64url'), Buffer.from(body).toString('base64url')].join('.');
}

/** Splits an envelope made by `formatEnvelope`, refusing another kind or format. */
export function parseEnvelope(sealed: string, kek: KekKind): { wrappedKey: Buffer; body: Buffer } {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== PREFIX) throw new StoreError('the sealed token is not in Sinew\'s envelope format');
  if (parts[1] !== kek) {
    throw new ConfigError(`the token was sealed with a '${parts[1]}' key but this vault uses '${kek}'`);
  }
  return { wrappedKey: Buffer.from(parts[2]!, 'base64url'), body: Buffer.from(parts[3]!, 'base64url') };
}

/** The additional data of the token body: the envelope version, the key kind and the context. */
export function bodyAad(kek: KekKind, context: Record<string, string>): string {
  return `sinew.token.v1|${kek}|${canonicalContext(context)}`;
}

/** What every open failure says: the cause is never told apart, to give an attacker nothing. */
export const UNOPENABLE =
  'the sealed token could not be opened: it was altered, sealed for another account, or under another key';

const KID_BYTES = 8;

/**
 * Envelope encryption with a local master key (the key-encryption key): every seal makes a
 * fresh 256-bit data key, encrypts the token with it (AES-256-GCM) and stores the data key
 * wrapped by the master key. Used by the local CLI; AWS uses `KmsTokenVault`.
 */
export class LocalKeyVault implements TokenVault {
  private readonly kid: Buffer;

  private constructor(private readonly masterKey: Buffer) {
    this.kid = createHash('sha256').update('sinew.kid.v1').update(masterKey).digest().subarray(0, KID_BYTES);
  }

  /** A vault over a key held in memory (tests, `--memory`). */
  static fromKey(key: Uint8Array): LocalKeyVault {
    if (key.length !== DATA_KEY_BYTES) throw new ConfigError(`the master key must be 32 bytes (got ${key.length})`);
    return new LocalKeyVault(Buffer.from(key));
  }

  /**
   * A vault over the master key in `file` (base64, one line), created with mode 0600 when
   * absent. A key file that others can read is refused, as ssh refuses a loose private key.
   */
  static async fromFile(file: string): Promise<LocalKeyVault> {
    return LocalKeyVault.fromKey(await loadOrCreateKeyFile(file, 'master key'));
  }

  async seal(plaintext: string, context: Record<string, string>): Promise<string> {
    const aad = bodyAad('local', context);
    const dataKey = randomBytes(DATA_KEY_BYTES);
    try {
      const body = gcmEncrypt(dataKey, Buffer.from(plaintext, 'utf8'), aad);
      const wrapped = Buffer.concat([this.kid, gcmEncrypt(this.masterKey, dataKey, wrapAad(context))]);
      return formatEnvelope('local', wrapped, body);
    } finally {
      dataKey.fill(0);
    }
  }

  async open(sealed: string, context: Record<string, string>): Promise<string> {
    const aad = bodyAad('local', context);
    const { wrappedKey, body } = parseEnvelope(sealed, 'local');
    if (!wrappedKey.subarray(0, KID_BYTES).equals(this.kid)) {
      throw new ConfigError(
        `the token was sealed under master key ${wrappedKey.subarray(0, KID_BYTES).toString('hex')}, ` +
          `but this vault holds ${this.kid.toString('hex')}: was the master key file replaced?`,
      );
    }
    let dataKey: Buffer | undefined;
    try {
      dataKey = gcmDecrypt(this.masterKey, wrappedKey.subarray(KID_BYTES), wrapAad(context));
      return gcmDecrypt(dataKey, body, aad).toString('utf8');
    } catch (cause) {
      throw new StoreError(UNOPENABLE, { cause });
    } finally {
      dataKey?.fill(0);
    }
  }
}

/** Where the local master key lives under a data directory. */
export function masterKeyPath(dataDir: string): string {
  return join(dataDir, 'master.key');
}

function wrapAad(context: Record<string, string>): string {
  return `sinew.kek.v1|${canonicalContext(context)}`;
}

/**
 * Reads a 32-byte key kept base64-encoded in `file`, creating it (mode 0600, in a 0700
 * directory) on first use. Local secrets only: the token master key and the link key.
 * @param what how errors name the file, e.g. `master key`
 */
export async function loadOrCreateKeyFile(file: string, what: string): Promise<Buffer> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const fresh = randomBytes(DATA_KEY_BYTES);
  try {
    // 'wx' creates only if absent, so two processes racing cannot both write a key.
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(`${fresh.toString('base64')}\n`);
    } finally {
      await handle.close();
    }
    await chmod(file, 0o600);
    return fresh;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new ConfigError(`cannot create the ${what} file ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) {
    throw new ConfigError(`the ${what} file ${file} is readable by others; run: chmod 600 ${file}`);
  }
  const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
  if (key.length !== DATA_KEY_BYTES) {
    throw new ConfigError(`the ${what} file ${file} must hold 32 base64-encoded bytes (found ${key.length}); delete it to make a new one`);
  }
  return key;
}
