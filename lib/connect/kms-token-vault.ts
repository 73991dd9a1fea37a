import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { ConfigError, StoreError } from '#lib/errors.ts';
import { DATA_KEY_BYTES, UNOPENABLE, bodyAad, formatEnvelope, gcmDecrypt, gcmEncrypt, parseEnvelope, type TokenVault } from './token-vault.ts';

/**
 * Envelope encryption with AWS KMS: `GenerateDataKey` gives a fresh AES-256 data key per
 * token (plaintext used once, then wiped; the KMS-encrypted copy stored beside the
 * ciphertext), and `Decrypt` unwraps it. The context is passed as KMS's EncryptionContext
 * (logged in CloudTrail, enforced by KMS) and as the AES-GCM additional data.
 */
export class KmsTokenVault implements TokenVault {
  /**
   * @param kms a KMS client (region and credentials from the Lambda environment)
   * @param keyId the key id, ARN or alias of the token key
   */
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  async seal(plaintext: string, context: Record<string, string>): Promise<string> {
    const aad = bodyAad('kms', context);
    const out = await this.call('GenerateDataKey', () =>
      this.kms.send(new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: context })),
    );
    if (!out.Plaintext || !out.CiphertextBlob || out.Plaintext.length !== DATA_KEY_BYTES) {
      throw new StoreError(`KMS GenerateDataKey on ${this.keyId} returned no 256-bit data key`);
    }
    try {
      return formatEnvelope('kms', out.CiphertextBlob, gcmEncrypt(out.Plaintext, Buffer.from(plaintext, 'utf8'), aad));
    } finally {
      out.Plaintext.fill(0);
    }
  }

  async open(sealed: string, context: Record<string, string>): Promise<string> {
    const aad = bodyAad('kms', context);
    const { wrappedKey, body } = parseEnvelope(sealed, 'kms');
    const out = await this.call('Decrypt', () =>
      // KeyId pins the key: a blob wrapped by some other key the role can use is refused.
      this.kms.send(new DecryptCommand({ CiphertextBlob: wrappedKey, KeyId: this.keyId, EncryptionContext: context })),
    );
    if (!out.Plaintext) throw new StoreError(`KMS Decrypt on ${this.keyId} returned no plaintext`);
    try {
      return gcmDecrypt(out.Plaintext, body, aad).toString('utf8');
    } catch (cause) {
      throw new StoreError(UNOPENABLE, { cause });
    } finally {
      out.Plaintext.fill(0);
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      const name = (err as { name?: string }).name;
      // A wrong context or a blob from another key: KMS cannot tell us which, neither do we.
      if (name === 'InvalidCiphertextException' || name === 'IncorrectKeyException') {
        throw new StoreError(UNOPENABLE, { cause: err });
      }
      if (name === 'AccessDeniedException' || name === 'NotFoundException' || name === 'DisabledException') {
        throw new ConfigError(`KMS ${operation} on ${this.keyId} refused (${name}): check the key and the role's kms:${operation} permission`, {
          cause: err,
        });
      }
      throw err;
    }
  }
}
