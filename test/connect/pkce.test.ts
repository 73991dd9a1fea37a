import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPkce, derivePkce, s256Challenge } from '#lib/connect/pkce.ts';

describe('PKCE', () => {
  it('creates a verifier in RFC 7636 form whose challenge is its S256 digest', async () => {
    const pkce = await createPkce();
    expect(pkce.verifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
    expect(pkce.method).toBe('S256');
    expect(pkce.challenge).toBe(createHash('sha256').update(pkce.verifier).digest('base64url'));
    expect(pkce.challenge).toHaveLength(43);
  });

  it('makes a new verifier each time', async () => {
    const [a, b] = await Promise.all([createPkce(), createPkce()]);
    expect(a.verifier).not.toBe(b.verifier);
  });

  it('matches the RFC 7636 appendix B example', () => {
    expect(s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('refuses a verifier outside the allowed alphabet or length', () => {
    expect(() => s256Challenge('short')).toThrow(/43 to 128/);
    expect(() => s256Challenge('a'.repeat(42) + '!')).toThrow(/43 to 128/);
  });

  it('derives a stable verifier from secret and nonce, different per nonce and per secret', () => {
    const secret = Buffer.alloc(32, 7);
    const a = derivePkce(secret, 'nonce-one-0123456789');
    expect(derivePkce(secret, 'nonce-one-0123456789')).toEqual(a);
    expect(derivePkce(secret, 'nonce-two-0123456789').verifier).not.toBe(a.verifier);
    expect(derivePkce(Buffer.alloc(32, 8), 'nonce-one-0123456789').verifier).not.toBe(a.verifier);
    expect(a.challenge).toBe(s256Challenge(a.verifier));
  });
});
