import {
  ConfidentialClientApplication,
  PublicClientApplication,
  type AuthenticationResult,
  type Configuration,
  type INetworkModule,
} from '@azure/msal-node';
import { randomUUID } from 'node:crypto';
import type { Config } from '#lib/config.ts';
import type { AuthorizationRequest, CodeExchange, ConnectedGrant, OAuthConsent } from '#lib/connect/consent.ts';
import { ConsentError } from '#lib/connect/errors.ts';
import { msalNetworkTrusting } from './msal-network.ts';
import { mapMsalError } from './oauth-errors.ts';
import { connectedProvider, type OAuthClientCredentials, type ProviderEndpoints } from '#lib/providers/registry.ts';
import { checkedMsAuthority, MsRefreshClient, type MsSessionInput, type MsTokenSession } from './refresh.ts';
import { MS_CONNECT_SCOPES, scopeProblem, shortScope } from './scopes.ts';
import { cacheHasRefreshToken } from './token-cache.ts';

export { grantsCalendar, MS_CONNECT_SCOPES, MS_GRAPH_SCOPES, scopeProblem } from './scopes.ts';
export { DEFAULT_MS_AUTHORITY, type MsTokenSession } from './refresh.ts';

/**
 * Hosts MSAL knows as Microsoft clouds (it carries their instance metadata and needs no
 * `knownAuthorities`); any other host (an emulator, a proxy, ADFS) must be listed there.
 */
const MICROSOFT_AUTHORITY_HOSTS: ReadonlySet<string> = new Set([
  'login.microsoftonline.com', 'login.microsoft.com', 'login.windows.net', 'sts.windows.net', 'login.microsoftonline.us',
  'login.usgovcloudapi.net', 'login-us.microsoftonline.com', 'login.chinacloudapi.cn', 'login.partner.microsoftonline.cn',
  'login.microsoftonline.de',
]);

export interface MsOAuthOptions {
  clientId: string;
  /** Set for a confidential (web) client; a desktop client is public and relies on PKCE alone. */
  clientSecret?: string;
  /** `SINEW_MS_AUTHORITY`, https only. @default https://login.microsoftonline.com/common */
  authority?: string;
  /**
   * Extra PEM certificates to trust for the authority (an emulator's self-signed one, a
   * TLS-inspecting proxy), as `graphClient` takes them.
   */
  ca?: string | string[];
  /** MSAL's transport (`system.networkClient`). @default MSAL's own, or one trusting `ca` */
  networkClient?: INetworkModule;
}

/** The grant of a Microsoft connect. `refreshToken` holds MSAL's serialized token cache (see {@link MsOAuth.exchangeCode}). */
export type MsGrant = ConnectedGrant;

/**
 * Microsoft identity platform sign-in for Sinew, around `@azure/msal-node`: the consent
 * URL, the code exchange with PKCE and the scope check, and token sessions that refresh
 * from the sealed token cache (those without MSAL, ./refresh.ts, as sync does). Build it
 * with {@link MsOAuth.create}: MSAL resolves the authority's endpoints asynchronously,
 * while `authorizationUrl` must answer at once.
 */
export class MsOAuth implements OAuthConsent<MsGrant> {
  private constructor(
    private readonly options: MsOAuthOptions,
    private readonly authority: string,
    private readonly template: URL,
    private readonly refresh: MsRefreshClient,
  ) {}

  /**
   * Checks the configuration and resolves the authority once (OpenID discovery through
   * MSAL). An http authority is refused here, as MSAL would refuse it later.
   * @throws ConfigError for a missing client id or a bad authority.
   */
  static async create(options: MsOAuthOptions): Promise<MsOAuth> {
    const authority = checkedMsAuthority(options);
    // MSAL builds the consent URL only after resolving the authority (a network call); the
    // contract wants it synchronously, so resolve once with placeholders and fill in each
    // request's own values later: every other parameter is the one MSAL itself sends.
    const app = newApp(options, authority);
    let template: string;
    try {
      template = await app.getAuthCodeUrl({
        scopes: [...MS_CONNECT_SCOPES],
        redirectUri: 'http://127.0.0.1/callback',
        state: 'state',
        codeChallenge: 'challenge',
        codeChallengeMethod: 'S256',
        prompt: 'select_account',
      });
    } catch (err) {
      throw mapMsalError(err, 'discovery');
    }
    const refresh = MsRefreshClient.create({
      clientId: options.clientId,
      authority,
      ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
    });
    return new MsOAuth(options, authority, new URL(template), refresh);
  }

  /**
   * The consent URL: MSAL's own (`response_type=code`, `client_info=1`, the scopes with
   * openid and profile, `prompt=select_account` so the user picks which mailbox) with this
   * request's state, PKCE challenge, redirect URI and login hint.
   */
  authorizationUrl(request: AuthorizationRequest): string {
    const url = new URL(this.template);
    const q = url.searchParams;
    q.set('redirect_uri', request.redirectUri);
    q.set('state', request.state);
    q.set('code_challenge', request.codeChallenge);
    q.set('code_challenge_method', 'S256');
    q.set('client-request-id', randomUUID());
    if (request.loginHint) q.set('login_hint', request.loginHint);
    else q.delete('login_hint');
    return url.toString();
  }

  /**
   * Trades the code (with its PKCE verifier) for tokens through MSAL and checks the grant:
   * Mail.ReadBasic must be granted and no broader mail scope (Mail.Read, Mail.ReadWrite, ...)
   * may be, and a refresh token must have come (offline_access). The grant's `refreshToken`
   * is MSAL's serialized token cache, holding the refresh token, for the caller to seal
   * under the account (as for Google); {@link MsOAuth.session} reads it back. Microsoft has
   * no endpoint to revoke a delegated grant, so a refused grant is only dropped: the
   * message says where the user can remove the consent.
   */
  async exchangeCode(exchange: CodeExchange): Promise<MsGrant> {
    const app = newApp(this.options, this.authority);
    let result: AuthenticationResult;
    try {
      result = await app.acquireTokenByCode({
        code: exchange.code,
        codeVerifier: exchange.codeVerifier,
        redirectUri: exchange.redirectUri,
        scopes: [...MS_CONNECT_SCOPES],
      });
    } catch (err) {
      throw mapMsalError(err, 'exchange');
    }
    const grantedScopes = result.scopes.map(shortScope).filter((s) => s !== '');
    const problem = scopeProblem(grantedScopes);
    if (problem) throw new ConsentError(problem, 'scopes');
    const serialized = app.getTokenCache().serialize();
    if (!cacheHasRefreshToken(serialized)) {
      throw new ConsentError('Microsoft returned no refresh token (offline access was not granted); connect again and allow it', 'code-refused');
    }
    const { email, subject } = microsoftIdentity((result.idTokenClaims ?? {}) as Record<string, unknown>);
    return { refreshToken: serialized, accessToken: result.accessToken, expiresAt: result.expiresOn?.getTime(), email, subject, grantedScopes };
  }

  /**
   * A token session for one account: the cached access token while valid, else a
   * refresh, with the cache read from and written back to `store` sealed under `context`
   * (./refresh.ts, the same session sync uses, without MSAL).
   */
  session(input: MsSessionInput): MsTokenSession {
    return this.refresh.session(input);
  }
}

/** An `MsOAuth` from an OAuth app's credentials and the endpoints (the authority, and the CA certificates to trust for it). */
export function msOAuthFor(credentials: OAuthClientCredentials, endpoints: Pick<ProviderEndpoints, 'msAuthority' | 'msCa'>): Promise<MsOAuth> {
  const ca = endpoints.msCa;
  return MsOAuth.create({ ...credentials, authority: endpoints.msAuthority, ...(ca !== undefined ? { ca } : {}) });
}

/** An `MsOAuth` from the validated environment (lib/config.ts). */
export function msOAuthFromConfig(config: Config, extra: Pick<MsOAuthOptions, 'ca' | 'networkClient'> = {}): Promise<MsOAuth> {
  return MsOAuth.create({
    ...connectedProvider('microsoft')!.credentialsFromConfig(config),
    authority: config.SINEW_MS_AUTHORITY,
    ...extra,
  });
}

/** The tenant Entra issues personal Microsoft accounts (Outlook.com, Hotmail, Live) in. */
export const MICROSOFT_PERSONAL_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

/** Who signed in, as Sinew keys and trusts it. */
export interface MicrosoftIdentity {
  /** The mailbox's address, one Microsoft vouches for. */
  email: string;
  /** `tid/oid`: the tenant and the object id in it, both immutable: what a Microsoft account is keyed on. */
  subject: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ADDRESS = /^[^@\s]+@[^@\s]+$/;

/**
 * Who signed in, from the ID token's claims, keyed on what cannot change and with an
 * address Microsoft vouches for. The `email` claim alone is the user's mail attribute,
 * which a tenant admin can set to anyone's address (Microsoft: "Migrate away from using
 * email claims for user identification or authorization",
 * https://learn.microsoft.com/entra/identity-platform/migrate-off-email-claim-authorization):
 * - the account is keyed on `tid` and `oid`, which never change and are never reused;
 * - a work or school account's `email` counts only with `xms_edov` true, the optional
 *   claim saying the tenant verified the domain of that address
 *   (https://learn.microsoft.com/entra/identity-platform/optional-claims-reference): the
 *   app registration must list `email` and `xms_edov` among the ID token's optional claims;
 * - a personal account's address is Microsoft's own (the same pages count it as
 *   verified): its `email`, else its sign-in name `preferred_username`.
 * `preferred_username` of a work account (the UPN) is never taken for the address: it is
 * mutable, and not necessarily a mailbox. MSAL decodes the ID token without checking its
 * signature; it came straight from the token endpoint over TLS, which OpenID Connect Core
 * 3.1.3.7 accepts.
 * @throws ConsentError (`identity`) saying why the account cannot be trusted; nothing is stored then.
 */
export function microsoftIdentity(claims: Record<string, unknown>): MicrosoftIdentity {
  const { tid, oid, email, preferred_username: username, xms_edov: edov } = claims;
  if (typeof tid !== 'string' || !GUID.test(tid) || typeof oid !== 'string' || !GUID.test(oid)) {
    throw new ConsentError('Microsoft\'s ID token lacks the tenant and object ids (tid, oid) that identify the account', 'identity');
  }
  const subject = `${tid.toLowerCase()}/${oid.toLowerCase()}`;
  const address = (value: unknown): string | undefined => (typeof value === 'string' && ADDRESS.test(value.trim()) ? value.trim() : undefined);
  if (tid.toLowerCase() === MICROSOFT_PERSONAL_TENANT) {
    const own = address(email) ?? address(username);
    if (own) return { email: own, subject };
    throw new ConsentError('Microsoft names no email address for this personal account (it may sign in with a phone number); connect a mailbox with an address', 'identity');
  }
  const given = address(email);
  if (!given) {
    throw new ConsentError(
      'Microsoft sent no email address for this work or school account. The administrator must add the optional claims "email" and "xms_edov" to the ID token of Sinew\'s app registration (Token configuration)',
      'identity',
    );
  }
  if (!(edov === true || edov === 1 || edov === 'true' || edov === '1')) {
    throw new ConsentError(
      edov === undefined
        ? 'Microsoft did not say whether this account\'s email address belongs to its organization (no xms_edov claim), so Sinew cannot trust it. The administrator must add the optional claim "xms_edov" to the ID token of Sinew\'s app registration (Token configuration)'
        : 'This account\'s email address is not at a domain its organization has verified with Microsoft (xms_edov is false): anyone\'s address can be typed there, so Sinew does not take it. Sign in with an account whose address is at your organization\'s own domain',
      'identity',
    );
  }
  return { email: given, subject };
}

function newApp(options: MsOAuthOptions, authority: string): PublicClientApplication | ConfidentialClientApplication {
  const host = new URL(authority).host;
  const networkClient = options.networkClient ?? (options.ca !== undefined ? msalNetworkTrusting(options.ca) : undefined);
  const config: Configuration = {
    auth: {
      clientId: options.clientId,
      authority,
      // A host MSAL does not know is only trusted when listed; listing it also skips the
      // instance discovery call to login.microsoftonline.com (offline emulators, proxies).
      ...(MICROSOFT_AUTHORITY_HOSTS.has(new URL(authority).hostname) ? {} : { knownAuthorities: [host] }),
      ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
    },
    // The sync pacer owns retries; MSAL's own would sleep for real.
    system: { disableInternalRetries: true, ...(networkClient ? { networkClient } : {}) },
  };
  return options.clientSecret ? new ConfidentialClientApplication(config) : new PublicClientApplication(config);
}
