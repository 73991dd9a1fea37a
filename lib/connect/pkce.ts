import { createHash, createHmac, randomBytes } from 'node:crypto';

/** A PKCE pair (RFC 7636): the verifier stays with us, the challenge goes to the provider. */
export interface Pkce {
  verifier: string;
  challenge: string;
  method: 'S256';
}

// RFC 7636 section 4.1: 43 to 128 characters of the unreserved set.
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * A fresh random PKCE pair: a 128-character verifier (96 random bytes, base64url, as
 * Google's own library makes it) and its S256 challenge.
 */
export async function createPkce(): Promise<Pkce> {
  const verifier = randomBytes(96).toString('base64url');
  return { verifier, challenge: s256Challenge(verifier), method: 'S256' };
}

/**
 * The S256 challenge of a verifier: base64url(SHA-256(ASCII verifier)) without padding.
 * Refuses a verifier outside RFC 7636's alphabet or length, which providers would refuse later
 * with a vaguer message.
 */
export function s256Challenge(verifier: string): string {
  if (!VERIFIER.test(verifier)) {
    throw new Error('PKCE code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]');
  }
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * A PKCE pair derived from a secret and the nonce of a signed state, for stateless servers
 * (a Lambda callback) that cannot keep the verifier between the start and the callback.
 * The verifier never travels: whoever holds the code and the state still lacks the secret.
 * Domain-separated from the state's own HMAC so the two never share a value.
 */
export function derivePkce(secret: Uint8Array, nonce: string): Pkce {
  const verifier = createHmac('sha256', secret).update(`sinew.pkce.v1.${nonce}`).digest('base64url');
  return { verifier, challenge: s256Challenge(verifier), method: 'S256' };
}
