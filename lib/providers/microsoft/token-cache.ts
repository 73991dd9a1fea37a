/**
 * An account's Microsoft tokens as Sinew stores them: MSAL's serialized token cache, the
 * format `@azure/msal-node` writes at connect (`TokenCache.serialize`), sealed by the
 * TokenVault under the account's context (the same sealing, and so the same
 * `encryptedToken` format, as `recordConnectedAccount` applies to
 * `ConnectedGrant.refreshToken`). MSAL keeps the refresh token inside that cache and
 * never hands it out, which is why the whole cache is kept.
 *
 * Sync refreshes without MSAL (./refresh.ts), so this file reads and writes the cache
 * itself: the account, the access token for a set of scopes, the refresh token, and the
 * tokens of a refresh written back the way MSAL's cache manager writes them (same keys,
 * same fields, an older access token for overlapping scopes replaced), so the cache stays
 * one MSAL reads as its own.
 */

/** Where an account's sealed token cache lives (the account's `encryptedToken` in the store). `load` answers undefined when nothing is stored. */
export interface SealedCacheStore {
  load(): Promise<string | undefined>;
  save(sealed: string): Promise<void>;
}

/** One credential of the cache (MSAL's snake_case serialization). */
interface CachedCredential {
  home_account_id: string;
  environment: string;
  credential_type: string;
  client_id: string;
  secret: string;
  realm?: string;
  target?: string;
  cached_at?: string;
  expires_on?: string;
  extended_expires_on?: string;
  refresh_on?: string;
  token_type?: string;
  family_id?: string;
  [field: string]: unknown;
}

/** One account of the cache. */
export interface CachedAccount {
  home_account_id: string;
  environment: string;
  realm: string;
  [field: string]: unknown;
}

/** MSAL's serialized token cache (msal-node `JsonCache`). */
export interface MsalCache {
  Account?: Record<string, CachedAccount>;
  IdToken?: Record<string, CachedCredential>;
  AccessToken?: Record<string, CachedCredential>;
  RefreshToken?: Record<string, CachedCredential>;
  AppMetadata?: Record<string, unknown>;
  [section: string]: unknown;
}

/** Scopes MSAL adds to every request and leaves out of a cache lookup. */
const OIDC_SCOPES: ReadonlySet<string> = new Set(['openid', 'profile', 'offline_access']);

/** True when a serialized MSAL cache holds at least one refresh token. */
export function cacheHasRefreshToken(serialized: string): boolean {
  try {
    const parsed = JSON.parse(serialized) as { RefreshToken?: Record<string, unknown> };
    return Object.keys(parsed.RefreshToken ?? {}).length > 0;
  } catch {
    return false;
  }
}

/** The account MSAL would hand out first (`getAllAccounts()[0]`), or undefined for a cache with none. */
export function cachedAccount(cache: MsalCache): CachedAccount | undefined {
  return Object.values(cache.Account ?? {})[0];
}

/**
 * The access token MSAL's `acquireTokenSilent` would serve for `scopes`, or undefined
 * when it would refresh: the account's Bearer token of this client and tenant whose
 * granted scopes cover the asked ones (case aside), cached no later than `nowSec`
 * (a clock turned back refreshes) and valid beyond `nowSec + offsetSec`. Two candidates
 * are none, as for MSAL (which drops both).
 */
export function cachedAccessToken(
  cache: MsalCache,
  account: CachedAccount,
  clientId: string,
  scopes: readonly string[],
  nowSec: number,
  offsetSec: number,
): string | undefined {
  const wanted = scopes.map((s) => s.toLowerCase()).filter((s) => !OIDC_SCOPES.has(s));
  const found = Object.values(cache.AccessToken ?? {}).filter((t) => {
    if (!sameAccount(t, account, clientId) || t.realm !== account.realm) return false;
    if ((t.token_type ?? 'Bearer').toLowerCase() !== 'bearer') return false;
    const granted = new Set((t.target ?? '').split(' ').map((s) => s.toLowerCase()));
    return wanted.every((s) => granted.has(s));
  });
  if (found.length !== 1) return undefined;
  const token = found[0]!;
  if (Number(token.cached_at) > nowSec || nowSec + offsetSec > (Number(token.expires_on) || 0)) return undefined;
  return token.secret;
}

/** The account's refresh token of this client (MSAL's application refresh token), or undefined. */
export function cachedRefreshToken(cache: MsalCache, account: CachedAccount, clientId: string): { secret: string; expiresOn?: number } | undefined {
  const token = Object.values(cache.RefreshToken ?? {}).find((t) => sameAccount(t, account, clientId));
  if (!token) return undefined;
  return { secret: token.secret, ...(token.expires_on !== undefined ? { expiresOn: Number(token.expires_on) } : {}) };
}

/** What a refresh brought back, as the cache keeps it. */
export interface RefreshedTokens {
  accessToken: string;
  /** The granted scopes, space-separated (the response's `scope`, else what was asked). */
  target: string;
  /** When the request was sent, epoch seconds: the times below count from it. */
  requestedAtSec: number;
  expiresInSec: number;
  extExpiresInSec?: number;
  refreshInSec?: number;
  /** The rotated refresh token; absent keeps the one held. */
  refreshToken?: string;
  refreshTokenExpiresInSec?: number;
  /** A new ID token, kept under the account as MSAL keeps it. */
  idToken?: string;
  /** The tenant the tokens were issued in (the ID token's `tid`); @default the account's */
  realm?: string;
}

/**
 * The cache with a refresh's tokens in it, as MSAL's cache manager writes them: the
 * account's access tokens of this client and tenant whose scopes overlap the new ones
 * are replaced by the new one, the refresh token (and ID token, when one came) by the
 * new ones under the same keys. The rest of the cache is kept as it was.
 */
export function withRefreshedTokens(cache: MsalCache, account: CachedAccount, clientId: string, tokens: RefreshedTokens): MsalCache {
  const realm = tokens.realm ?? account.realm;
  const base = { home_account_id: account.home_account_id, environment: account.environment, client_id: clientId };
  const newScopes = new Set(tokens.target.split(' ').map((s) => s.toLowerCase()).filter((s) => s && !OIDC_SCOPES.has(s)));
  const accessTokens: Record<string, CachedCredential> = {};
  for (const [key, t] of Object.entries(cache.AccessToken ?? {})) {
    const overlaps = sameAccount(t, account, clientId) && t.realm === realm &&
      (t.token_type ?? 'Bearer').toLowerCase() === 'bearer' &&
      (t.target ?? '').split(' ').some((s) => newScopes.has(s.toLowerCase()));
    if (!overlaps) accessTokens[key] = t;
  }
  const at = tokens.requestedAtSec;
  const accessToken: CachedCredential = {
    ...base,
    credential_type: 'AccessToken',
    secret: tokens.accessToken,
    realm,
    target: tokens.target,
    cached_at: String(at),
    expires_on: String(at + tokens.expiresInSec),
    extended_expires_on: String(at + (tokens.extExpiresInSec ?? tokens.expiresInSec)),
    ...(tokens.refreshInSec !== undefined ? { refresh_on: String(at + tokens.refreshInSec) } : {}),
    token_type: 'Bearer',
  };
  accessTokens[credentialKey(accessToken)] = accessToken;
  const next: MsalCache = { ...cache, AccessToken: accessTokens };
  if (tokens.refreshToken !== undefined) {
    const refreshToken: CachedCredential = {
      ...base,
      credential_type: 'RefreshToken',
      secret: tokens.refreshToken,
      ...(tokens.refreshTokenExpiresInSec !== undefined ? { expires_on: String(at + tokens.refreshTokenExpiresInSec) } : {}),
    };
    next.RefreshToken = { ...cache.RefreshToken, [credentialKey(refreshToken)]: refreshToken };
  }
  if (tokens.idToken !== undefined) {
    const idToken: CachedCredential = { ...base, credential_type: 'IdToken', secret: tokens.idToken, realm };
    next.IdToken = { ...cache.IdToken, [credentialKey(idToken)]: idToken };
  }
  return next;
}

function sameAccount(t: CachedCredential, account: CachedAccount, clientId: string): boolean {
  return t.home_account_id === account.home_account_id && t.environment === account.environment && t.client_id === clientId;
}

/** MSAL node's cache key of a credential (msal-node `generateCredentialKey`, for Bearer tokens). */
function credentialKey(t: CachedCredential): string {
  return [t.home_account_id, t.environment, t.credential_type, t.family_id ?? t.client_id, t.realm ?? '', t.target ?? '', ''].join('-').toLowerCase();
}
