import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * A stand-in for AWS KMS behind aws-sdk-client-mock (KMS has no local emulator), stateless
 * so that two processes sharing `masterKey` understand each other's blobs: a data key is
 * wrapped with AES-256-GCM under `masterKey`, bound to the key id and the encryption
 * context, as KMS binds them. Decrypt with another key id or context is refused with
 * KMS's own error name.
 */
export interface FakeKms {
  /** Every call, in order: the operation, the key id, the encryption context. */
  readonly calls: Array<{ op: 'GenerateDataKey' | 'Decrypt'; keyId: string | undefined; context: Record<string, string> }>;
  restore(): void;
}

function aad(keyId: string, context: Record<string, string>): Buffer {
  return Buffer.from(JSON.stringify([keyId, Object.entries(context).sort(([a], [b]) => a.localeCompare(b))]), 'utf8');
}

/** Mocks every KMSClient of this process with the stateless fake. */
export function fakeKms(masterKey: Buffer): FakeKms {
  const calls: FakeKms['calls'] = [];
  const mock = mockClient(KMSClient);
  mock.on(GenerateDataKeyCommand).callsFake(async (input: { KeyId: string; EncryptionContext?: Record<string, string> }) => {
    const context = input.EncryptionContext ?? {};
    calls.push({ op: 'GenerateDataKey', keyId: input.KeyId, context });
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const keyIdBytes = Buffer.from(input.KeyId, 'utf8');
    const cipher = createCipheriv('aes-256-gcm', masterKey, iv).setAAD(aad(input.KeyId, context));
    const wrapped = Buffer.concat([cipher.update(key), cipher.final()]);
    // The blob names its key, as a KMS ciphertext does.
    const blob = Buffer.concat([Buffer.from([keyIdBytes.length >> 8, keyIdBytes.length & 0xff]), keyIdBytes, iv, cipher.getAuthTag(), wrapped]);
    return { Plaintext: Uint8Array.from(key), CiphertextBlob: Uint8Array.from(blob), KeyId: input.KeyId };
  });
  mock.on(DecryptCommand).callsFake(async (input: { CiphertextBlob: Uint8Array; KeyId?: string; EncryptionContext?: Record<string, string> }) => {
    const context = input.EncryptionContext ?? {};
    calls.push({ op: 'Decrypt', keyId: input.KeyId, context });
    const blob = Buffer.from(input.CiphertextBlob);
    const refuse = () => Object.assign(new Error('KMS could not decrypt the ciphertext'), { name: 'InvalidCiphertextException' });
    if (blob.length < 2) throw refuse();
    const idLength = blob.readUInt16BE(0);
    const keyId = blob.subarray(2, 2 + idLength).toString('utf8');
    if (input.KeyId !== undefined && input.KeyId !== keyId) throw Object.assign(new Error('the blob was wrapped by another key'), { name: 'IncorrectKeyException' });
    const rest = blob.subarray(2 + idLength);
    try {
      const decipher = createDecipheriv('aes-256-gcm', masterKey, rest.subarray(0, 12)).setAAD(aad(keyId, context));
      decipher.setAuthTag(rest.subarray(12, 28));
      const key = Buffer.concat([decipher.update(rest.subarray(28)), decipher.final()]);
      return { Plaintext: Uint8Array.from(key), KeyId: keyId };
    } catch {
      throw refuse();
    }
  });
  return { calls, restore: () => mock.restore() };
}
