import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { TokenVault } from '#lib/connect/token-vault.ts';
import { ConfigError, ReconnectRequiredError } from '#lib/errors.ts';
import type { OAuthClientCredentials, ProviderEndpoints } from '#lib/providers/registry.ts';
import { systemClock, type Clock } from '#lib/time/clock.ts';
import { fetchTrusting } from './graph-client.ts';
import { mapMsalError } from './oauth-errors.ts';
import { MS_GRAPH_SCOPES } from './scopes.ts';
import { cachedAccessToken, cachedAccount, cachedRefreshToken, withRefreshedTokens, type CachedAccount, type MsalCache, type RefreshedTokens, type SealedCacheStore } from './token-cache.ts';

/**
 * Refreshing a connected Microsoft account's access token without MSAL: the sync worker
 * needs nothing else of `@azure/msal-node` (about 230 KB of its bundle with msal-common,
 * jsonwebtoken and semver), so the consent (the auth-code flow with PKCE, ./oauth.ts)
 * keeps MSAL and sync does this one request itself, reading and writing the account's
 * sealed MSAL token cache as MSAL does (./token-cache.ts).
 *
 * The request is the Microsoft identity platform's refresh grant, "Refresh the access
 * token" in https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token
 * (see also https://learn.microsoft.com/entra/identity-platform/refresh-tokens): a form
 * POST to the authority's v2.0 token endpoint, `{authority}/oauth2/v2.0/token`, with
 * `grant_type=refresh_token`, `client_id`, `scope`, `refresh_token` and, for a web app,
 * `client_secret`; the answer carries `access_token`, `expires_in` and a new
 * `refresh_token`, which replaces the old one (Microsoft rotates them). These are the
 * parameters MSAL sends for `acquireTokenSilent`, with `client_info=1` as it asks too.
 * The endpoint is the authority's own rather than one found by OpenID discovery: it is
 * the same for every Microsoft cloud and tenant form, and one request fewer per cold start.
 */

/** The authority when none is configured: the multi-tenant endpoint (work and personal accounts). */
export const DEFAULT_MS_AUTHORITY = 'https://login.microsoftonline.com/common';

/** A token this close to its expiry is refreshed first (MSAL's `tokenRenewalOffsetSeconds`). */
const RENEWAL_OFFSET_SEC = 300;
/** The scopes of every refresh: Graph's, with the OpenID ones MSAL adds (`offline_access` for the rotated refresh token). */
const REFRESH_SCOPES = [...MS_GRAPH_SCOPES, 'openid', 'profile', 'offline_access'].join(' ');

/**
 * The configured authority, checked: without trailing slashes, and https, the only
 * scheme the consent (MSAL) accepts and a token should travel over.
 * @throws ConfigError for a missing client id or a bad authority.
 */
export function checkedMsAuthority(options: { clientId: string; authority?: string | undefined }): string {
  if (!options.clientId) throw new ConfigError('SINEW_MS_CLIENT_ID: a Microsoft application (client) id is required to connect Microsoft 365');
  const authority = (options.authority ?? DEFAULT_MS_AUTHORITY).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(authority);
  } catch {
    throw new ConfigError(`SINEW_MS_AUTHORITY: '${authority}' is not a URL`);
  }
  if (url.protocol !== 'https:') {
    throw new ConfigError(`SINEW_MS_AUTHORITY: '${authority}' must be https (MSAL refuses any other authority)`);
  }
  return authority;
}

/** Options of {@link MsRefreshClient}. */
export interface MsRefreshOptions {
  clientId: string;
  /** Set for a confidential (web) client. */
  clientSecret?: string;
  /** `SINEW_MS_AUTHORITY`, https only. @default https://login.microsoftonline.com/common */
  authority?: string;
  /** Extra PEM certificates to trust for the authority (an emulator's, a TLS-inspecting proxy's). */
  ca?: string | string[];
}

/** Where one account's sealed token cache is, and how to open it. */
export interface MsSessionInput {
  vault: TokenVault;
  context: Record<string, string>;
  store: SealedCacheStore;
  /** Reads token expiry. @default the wall clock */
  clock?: Clock;
}

/** The token endpoint's success answer, at the edge (Azure AD sends `expires_in` as a number, some proxies as a string). */
const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().int().positive(),
  ext_expires_in: z.coerce.number().int().positive().optional(),
  refresh_in: z.coerce.number().int().positive().optional(),
  refresh_token: z.string().min(1).optional(),
  refresh_token_expires_in: z.coerce.number().int().positive().optional(),
  scope: z.string().optional(),
  id_token: z.string().optional(),
});

/** The token endpoint's error answer (Azure AD's body: `error`, `error_description` starting `AADSTSnnnnn:`, `error_codes`, `suberror`). */
const tokenErrorSchema = z.object({
  error: z.string().optional(),
  error_description: z.string().optional(),
  error_codes: z.array(z.coerce.string()).optional(),
  suberror: z.string().optional(),
});

/** Server error codes and sub-errors after which MSAL says an interactive sign-in is needed (`isInteractionRequiredError`). */
const INTERACTION_ERRORS = ['interaction_required', 'consent_required', 'login_required', 'bad_token', 'ui_not_allowed', 'interrupted_user'];
const INTERACTION_SUBERRORS = ['message_only', 'additional_action', 'basic_action', 'user_password_expired', 'consent_required', 'bad_token', 'ui_not_allowed', 'interrupted_user'];

/**
 * A failed refresh in the shape of the MSAL error the same answer raised (its `name`,
 * `errorCode`, `errorMessage`, `subError`, `errorNo`), so `mapMsalError` maps it exactly
 * as it mapped MSAL's: a lost grant to ReconnectRequiredError, a refused application to
 * ConfigError, anything else to ProviderUnavailableError. `status` is set only for 429
 * and 5xx: MSAL never passed a status on, and a refusal without one stays retryable.
 */
class TokenEndpointFailure extends Error {
  readonly subError: string | undefined;
  readonly errorNo: string | undefined;
  readonly status: number | undefined;

  constructor(
    override readonly name: 'ServerError' | 'InteractionRequiredAuthError' | 'ClientAuthError',
    readonly errorCode: string,
    readonly errorMessage: string,
    extra: { subError?: string | undefined; errorNo?: string | undefined; status?: number | undefined } = {},
  ) {
    super(`${errorCode}: ${errorMessage}`);
    this.subError = extra.subError;
    this.errorNo = extra.errorNo;
    this.status = extra.status;
  }
}

/**
 * Microsoft's token refresh for sync, from the OAuth app's credentials and the authority.
 * Build it with {@link MsRefreshClient.create}; it makes no request until a session needs a token.
 */
export class MsRefreshClient {
  private constructor(
    readonly clientId: string,
    private readonly clientSecret: string | undefined,
    private readonly tokenEndpoint: string,
    private readonly send: typeof fetch,
  ) {}

  /** @throws ConfigError for a missing client id or a bad authority. */
  static create(options: MsRefreshOptions): MsRefreshClient {
    const authority = checkedMsAuthority(options);
    // Node's fetch takes no per-client trust store; an emulator's or a proxy's CA goes through node:https.
    const send = options.ca !== undefined ? fetchTrusting(options.ca) : (input: Parameters<typeof fetch>[0], init?: RequestInit) => fetch(input, init);
    return new MsRefreshClient(options.clientId, options.clientSecret, `${authority}/oauth2/v2.0/token`, send);
  }

  /** A token session for one account, over its sealed token cache in `input.store`. */
  session(input: MsSessionInput): MsTokenSession {
    return new MsTokenSession(this, input);
  }

  /**
   * One refresh grant for `account`'s refresh token, sent at `nowSec`.
   * @throws TokenEndpointFailure (mapped by the session) for any answer without tokens.
   */
  async redeem(refreshToken: string, account: CachedAccount, nowSec: number): Promise<RefreshedTokens> {
    const form = new URLSearchParams({
      client_id: this.clientId,
      scope: REFRESH_SCOPES,
      grant_type: 'refresh_token',
      client_info: '1',
      refresh_token: refreshToken,
      ...(this.clientSecret ? { client_secret: this.clientSecret } : {}),
    });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' };
    // Routes the request to the account's home region, as MSAL does (`X-AnchorMailbox`).
    const [uid, utid] = account.home_account_id.split('.');
    if (uid && utid) headers['x-anchormailbox'] = `Oid:${uid}@${utid}`;
    let res: Response;
    let text: string;
    try {
      res = await this.send(`${this.tokenEndpoint}?client-request-id=${randomUUID()}`, { method: 'POST', headers, body: form.toString() });
      text = await res.text();
    } catch (err) {
      const reason = err instanceof Error ? [err.message, (err.cause as { code?: string } | undefined)?.code].filter(Boolean).join(', ') : String(err);
      throw new TokenEndpointFailure('ClientAuthError', 'network_error', `the token endpoint could not be reached (${reason})`);
    }
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      // A proxy's HTML page: only its status says anything.
      body = {};
    }
    const failed = tokenErrorSchema.safeParse(body);
    const status = res.status === 429 || res.status >= 500 ? res.status : undefined;
    if (failed.success && (failed.data.error || failed.data.error_description || failed.data.suberror)) {
      const { error = '', error_description: description = '', suberror, error_codes: codes } = failed.data;
      const interaction = INTERACTION_ERRORS.includes(error) || (suberror !== undefined && INTERACTION_SUBERRORS.includes(suberror)) ||
        INTERACTION_ERRORS.some((e) => description.includes(e));
      throw new TokenEndpointFailure(interaction ? 'InteractionRequiredAuthError' : 'ServerError', error, description, { subError: suberror, errorNo: codes?.[0], status });
    }
    const tokens = tokenAnswerSchema.safeParse(body);
    if (!res.ok || !tokens.success) {
      throw new TokenEndpointFailure('ServerError', res.ok ? 'invalid_response' : `http_${res.status}`, `the token endpoint answered ${res.status} without tokens`, { status });
    }
    const t = tokens.data;
    const scopes = [...new Set((t.scope ?? REFRESH_SCOPES).split(' ').map((s) => s.trim()).filter(Boolean))];
    const realm = t.id_token !== undefined ? tenantOf(t.id_token) : undefined;
    return {
      accessToken: t.access_token,
      target: scopes.join(' '),
      requestedAtSec: nowSec,
      expiresInSec: t.expires_in,
      ...(t.ext_expires_in !== undefined ? { extExpiresInSec: t.ext_expires_in } : {}),
      ...(t.refresh_in !== undefined ? { refreshInSec: t.refresh_in } : {}),
      ...(t.refresh_token !== undefined ? { refreshToken: t.refresh_token } : {}),
      ...(t.refresh_token_expires_in !== undefined ? { refreshTokenExpiresInSec: t.refresh_token_expires_in } : {}),
      ...(t.id_token !== undefined ? { idToken: t.id_token } : {}),
      ...(realm !== undefined ? { realm } : {}),
    };
  }
}

/**
 * Access tokens for one connected account, as MSAL's `acquireTokenSilent` served them:
 * the cached one while it is valid for 5 more minutes, else a refresh whose tokens (the
 * rotated refresh token above all) are sealed and saved to the store before the access
 * token is handed out, so a rotated token is never lost between runs. The cache is read
 * from the store at each call, so a rotation saved by another session is seen. Also
 * `graphClient`'s token provider (`getAccessToken`).
 */
export class MsTokenSession {
  private readonly clock: Clock;

  constructor(
    private readonly client: MsRefreshClient,
    private readonly input: MsSessionInput,
  ) {
    this.clock = input.clock ?? systemClock;
  }

  /**
   * A valid access token for the Graph scopes, refreshed when the cached one is expired or
   * about to be (or always with `forceRefresh`, after Graph refused the cached one).
   * @throws ReconnectRequiredError when the grant is gone (revoked, consent removed, expired) or nothing is stored.
   * @throws ProviderUnavailableError when the identity platform cannot answer now.
   */
  async accessToken(opts: { forceRefresh?: boolean } = {}): Promise<string> {
    const { vault, context, store } = this.input;
    const clientId = this.client.clientId;
    try {
      const sealed = await store.load();
      if (sealed === undefined) throw new ReconnectRequiredError('no Microsoft token is stored for this account; connect it again');
      const cache = JSON.parse(await vault.open(sealed, context)) as MsalCache;
      const account = cachedAccount(cache);
      if (!account) throw new ReconnectRequiredError('the stored Microsoft token cache holds no account; connect it again');
      // MSAL stamps `cached_at` with the rounded second (TimeUtils.nowSeconds) and refuses a
      // token stamped after its now: checked here against the rounded second (a token MSAL
      // stamped in the last half second is not from the future), stamped with the floored one
      // (never after anyone's rounded now, MSAL's included).
      const nowSec = Math.round(this.clock.now() / 1000);
      const stampSec = Math.floor(this.clock.now() / 1000);
      if (opts.forceRefresh !== true) {
        const cached = cachedAccessToken(cache, account, clientId, MS_GRAPH_SCOPES, nowSec, RENEWAL_OFFSET_SEC);
        if (cached !== undefined) return cached;
      }
      const refreshToken = cachedRefreshToken(cache, account, clientId);
      if (!refreshToken) throw new TokenEndpointFailure('InteractionRequiredAuthError', 'no_tokens_found', 'the cache holds no refresh token');
      if (refreshToken.expiresOn !== undefined && nowSec + RENEWAL_OFFSET_SEC > refreshToken.expiresOn) {
        throw new TokenEndpointFailure('InteractionRequiredAuthError', 'refresh_token_expired', 'the refresh token has expired');
      }
      const tokens = await this.client.redeem(refreshToken.secret, account, stampSec);
      await store.save(await vault.seal(JSON.stringify(withRefreshedTokens(cache, account, clientId, tokens)), context));
      return tokens.accessToken;
    } catch (err) {
      throw mapMsalError(err, 'refresh');
    }
  }

  /** `graphClient`'s token provider (`forceRefresh` after a 401). */
  getAccessToken(opts?: { forceRefresh?: boolean }): Promise<string> {
    return this.accessToken(opts);
  }
}

/** A refresh client from an OAuth app's credentials and the endpoints (the authority, and the CA certificates to trust for it). */
export function msRefreshFor(credentials: OAuthClientCredentials, endpoints: Pick<ProviderEndpoints, 'msAuthority' | 'msCa'>): MsRefreshClient {
  const ca = endpoints.msCa;
  return MsRefreshClient.create({ ...credentials, authority: endpoints.msAuthority, ...(ca !== undefined ? { ca } : {}) });
}

/** The tenant (`tid`) an ID token was issued in, read without checking its signature (it came straight from the token endpoint over TLS). */
function tenantOf(idToken: string): string | undefined {
  try {
    const claims = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { tid?: unknown };
    return typeof claims.tid === 'string' && claims.tid !== '' ? claims.tid : undefined;
  } catch {
    return undefined;
  }
}
