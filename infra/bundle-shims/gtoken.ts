/**
 * gtoken (a service account's JWT exchanged for a token) for the Lambda bundles only:
 * infra/bundling.ts aliases `gtoken` here, which keeps it and jws, jwa and
 * ecdsa-sig-formatter (about 23 KB of the sync worker) out. google-auth-library builds a
 * `GoogleToken` only for service-account (`JWT`) credentials; Sinew's Google clients are
 * `OAuth2Client`s refreshing a user's refresh token (lib/providers/google/oauth.ts), so
 * none is ever built, and building one here fails saying why.
 * test/infra/bundle-shims.test.ts checks the Google clients bundled with it.
 */
export class GoogleToken {
  constructor() {
    throw new Error('service-account (JWT) credentials are not in the Lambda bundle: Sinew authenticates Google with OAuth refresh tokens');
  }
}

export default { GoogleToken };
