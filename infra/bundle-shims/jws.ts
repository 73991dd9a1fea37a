/**
 * jws (JSON Web Signatures) for the Lambda bundles only: infra/bundling.ts aliases `jws`
 * here, which keeps it and jwa with ecdsa-sig-formatter (about 11 KB of the sync worker)
 * out. google-auth-library signs with it only in `JWTAccess`, a service account's
 * self-signed token; Sinew's Google clients are `OAuth2Client`s refreshing a user's
 * refresh token (lib/providers/google/oauth.ts), which never sign, and signing here fails
 * saying why. test/infra/bundle-shims.test.ts checks the Google clients bundled with it.
 */
const NO_SERVICE_ACCOUNTS = 'service-account (JWT) signing is not in the Lambda bundle: Sinew authenticates Google with OAuth refresh tokens';

export function sign(): never {
  throw new Error(NO_SERVICE_ACCOUNTS);
}

export function verify(): never {
  throw new Error(NO_SERVICE_ACCOUNTS);
}

export function decode(): never {
  throw new Error(NO_SERVICE_ACCOUNTS);
}

export default { sign, verify, decode };
