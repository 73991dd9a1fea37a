import { createHash, createHmac } from 'node:crypto';
import { OAuth2Client } from 'google-auth-library';

/** A PKCE pair (RFC 7636): the verifier stays with us, the challenge goes to the provider. */
export interface Pkce {
  verifier: string;
  challenge: string;
  method: 'S256';
}

// RFC 7636 section 4.1: 43 to 128 characters of the unreserved set.
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * A fresh random PKCE pair, made by google-auth-library (128-character verifier, S256
 * challenge) so the pair is exactly what Google's own samples send.
 */
export async function createPkce(): Promise<Pkce> {
  const { codeVerifier, codeChallenge } = await new OAuth2Client().generateCodeVerifierAsync();
  // The library's challenge must agree with ours; computing it here also guards against a
  // library change that would leave it undefined.
  const challenge = s256Challenge(codeVerifier);
  if (codeChallenge !== undefined && codeChallenge !== challenge) {
    throw new Error('google-auth-library produced a PKCE challenge that is not S256 of its verifier');
  }
  return { verifier: codeVerifier, challenge, method: 'S256' };
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
