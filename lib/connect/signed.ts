import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '#lib/errors.ts';

/**
 * The one signing mechanism of Sinew's self-verifying tokens (the OAuth `state` and the
 * email links): base64url(JSON) + '.' + base64url(HMAC-SHA256(label + body)). The label
 * separates the uses, so a token of one kind never verifies as another even under the
 * same key. Callers own their payload schema, expiry and error messages.
 */

/** Signs `payload` (JSON-serializable) under `label`. */
export function signPayload(secret: Uint8Array, label: string, payload: unknown, what: string): string {
  checkSecret(secret, what);
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${mac(secret, label, body).toString('base64url')}`;
}

/** What {@link openSigned} found. */
export type Opened = { ok: true; payload: unknown } | { ok: false; reason: 'form' | 'signature' | 'json' };

/**
 * Checks a token's form and signature (constant time, before anything in it is
 * believed), then decodes its JSON. Buffer decoding is lenient (stray characters, the
 * spare bits of the last one), so only the canonical spelling is accepted: one token,
 * one accepted string.
 */
export function openSigned(secret: Uint8Array, label: string, token: string | null | undefined, what: string): Opened {
  checkSecret(secret, what);
  const parts = (token ?? '').split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, reason: 'form' };
  const [body, sig] = parts as [string, string];
  const given = Buffer.from(sig, 'base64url');
  const wanted = mac(secret, label, body);
  // Length first: timingSafeEqual throws on unequal lengths, and the length is public anyway.
  if (given.toString('base64url') !== sig || given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    return { ok: false, reason: 'signature' };
  }
  try {
    return { ok: true, payload: JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) };
  } catch {
    return { ok: false, reason: 'json' };
  }
}

function mac(secret: Uint8Array, label: string, body: string): Buffer {
  return createHmac('sha256', secret).update(label + body).digest();
}

/** HMAC-SHA256 with a key shorter than its output weakens it: refuse rather than sign weakly. */
function checkSecret(secret: Uint8Array, what: string): void {
  if (secret.length < 32) throw new ConfigError(`the ${what} secret must be at least 32 bytes (got ${secret.length})`);
}
