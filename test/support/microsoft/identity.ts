/**
 * An emulator of the Microsoft identity platform (v2.0 endpoints) for the real
 * `@azure/msal-node`: OpenID discovery, authorize (auto-consent or deny), and the token
 * endpoint with PKCE S256, refresh-token rotation and revocation, answering errors in
 * Azure AD's body shape (`error`, `error_description` starting `AADSTSnnnnn:`,
 * `error_codes`, `suberror`). Access tokens are opaque; the Graph emulator checks them with
 * {@link IdentityPlatform.validateAccessToken}.
 *
 * The ID token is a JWT with a dummy signature: MSAL node decodes ID token claims but does
 * not verify the signature (it came over TLS straight from the token endpoint), so no key
 * is needed. `client_info` (base64url JSON `{uid, utid}`) is returned as Azure AD does when
 * asked `client_info=1`: MSAL builds the account's home id from it.
 *
 * Identity claims as Entra issues them: each user lives in a tenant (`tid`, a work tenant
 * by default, or the personal-accounts tenant) with an immutable object id (`oid`); the
 * `email` claim is the user's mail attribute, which a tenant admin can set to any
 * address, and the optional `xms_edov` claim says whether the tenant verified that
 * address's domain. {@link IdentityPlatform.setEmailClaim} plays that admin,
 * {@link IdentityPlatform.renameUser} a mailbox whose address changes under the same oid.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '#lib/time/clock.ts';
import { systemClock } from '#lib/time/clock.ts';
import { readBody, sendJsonBody, startLoopbackHttps, type LoopbackHttps, type MsHandler } from './loopback-https.ts';

/** The tenant of personal Microsoft accounts (Outlook.com, Hotmail), as Entra names it in `tid`. */
export const PERSONAL_ACCOUNTS_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
/** The work tenant users live in unless told otherwise. */
export const DEFAULT_WORK_TENANT = '3f5c2b1a-7d6e-4c8b-9a0f-1e2d3c4b5a69';

/** A mailbox the emulator can sign in. */
export interface MsUser {
  /** The mailbox (the sign-in name and Graph's mailbox), lower-case. */
  email: string;
  name: string;
  /** Object id in the tenant (`oid`, client_info `uid`): never changes. */
  oid: string;
  /** The user's tenant (`tid`, client_info `utid`). */
  tenantId: string;
  /** The `email` claim: the mailbox unless an admin set the mail attribute to another address; null leaves the claim out. */
  emailClaim: string | null;
  /** The `xms_edov` claim (the tenant verified the domain of `emailClaim`); undefined leaves it out. */
  xmsEdov: boolean | undefined;
}

/** How {@link IdentityPlatform.addUser} places a user. */
export interface MsUserOptions {
  /** @default the platform's tenant (a work tenant); {@link PERSONAL_ACCOUNTS_TENANT} for a personal account */
  tenantId?: string;
  /** @default true for a work account (the tenant verified its own domain), left out for a personal one */
  xmsEdov?: boolean;
}

/** Options of {@link IdentityPlatform}. */
export interface IdentityPlatformOptions {
  /** The registered application; others get `unauthorized_client`. @default 'sinew-test-client' */
  clientId?: string;
  /** The tenant users are added to. @default {@link DEFAULT_WORK_TENANT} */
  tenantId?: string;
  /** Issue and expiry times. @default systemClock */
  clock?: Clock;
  /** `expires_in` of access tokens. Under 300 s MSAL refreshes on every silent call. @default 3600 */
  accessTokenLifetimeSeconds?: number;
}

interface PendingCode {
  user: MsUser;
  clientId: string;
  redirectUri: string;
  challenge: string;
  method: string;
  scopes: string[];
  expiresAt: number;
}

interface Grant {
  user: MsUser;
  scopes: string[];
}

/** How a grant was lost, as Azure AD reports it. */
export type Revocation = 'grant' | 'consent';

/** Azure AD answers the delegated Graph scopes without the resource prefix. */
const GRAPH_PREFIX = 'https://graph.microsoft.com/';
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/** The identity platform's state and its request handler. */
export class IdentityPlatform {
  readonly clientId: string;
  readonly tenantId: string;
  /** `consent`: every authorize request is granted; `deny`: the user declines. */
  mode: 'consent' | 'deny' = 'consent';
  /**
   * Delegated scopes granted whatever was asked (an admin pre-consented more, or the user
   * unticked some); undefined grants what was asked.
   */
  grantScopes: string[] | undefined;
  accessTokenLifetimeSeconds: number;
  /**
   * The mailbox that signs in when the request has no `login_hint`; undefined signs in the
   * first one added.
   */
  signInAs: string | undefined;
  /** Each token request's grant type, in order; a code redemption also names its code and PKCE verifier. */
  readonly tokenRequests: Array<{ grantType: string; scope: string; clientSecret?: string; code?: string; codeVerifier?: string }> = [];
  private readonly clock: Clock;
  private readonly users = new Map<string, MsUser>();
  private readonly codes = new Map<string, PendingCode>();
  private readonly refreshTokens = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, Grant & { expiresAt: number }>();
  private readonly revoked = new Map<string, Revocation>();

  constructor(opts: IdentityPlatformOptions = {}) {
    this.clientId = opts.clientId ?? 'sinew-test-client';
    this.tenantId = opts.tenantId ?? DEFAULT_WORK_TENANT;
    this.clock = opts.clock ?? systemClock;
    this.accessTokenLifetimeSeconds = opts.accessTokenLifetimeSeconds ?? 3600;
  }

  /** Adds a mailbox; the first one added signs in when no `login_hint` is given (unless {@link signInAs} names another). */
  addUser(email: string, name = email.split('@')[0]!, opts: MsUserOptions = {}): MsUser {
    const tenantId = opts.tenantId ?? this.tenantId;
    const personal = tenantId === PERSONAL_ACCOUNTS_TENANT;
    const mailbox = email.toLowerCase();
    const user: MsUser = { email: mailbox, name, oid: uuidFrom(`${tenantId}/${mailbox}`), tenantId, emailClaim: mailbox, xmsEdov: opts.xmsEdov ?? (personal ? undefined : true) };
    this.users.set(mailbox, user);
    return user;
  }

  /**
   * A tenant admin sets a user's mail attribute (the `email` claim) to `address`, which the
   * tenant may or may not own (`xmsEdov`); `null` clears it. The mailbox stays the same.
   */
  setEmailClaim(mailbox: string, address: string | null, xmsEdov: boolean | undefined): void {
    const user = this.userNamed(mailbox);
    user.emailClaim = address;
    user.xmsEdov = xmsEdov;
  }

  /** The mailbox's address changes (a rename, a new domain); the oid and tenant stay. */
  renameUser(mailbox: string, to: string): MsUser {
    const user = this.userNamed(mailbox);
    this.users.delete(user.email);
    user.email = to.toLowerCase();
    user.emailClaim = user.email;
    this.users.set(user.email, user);
    return user;
  }

  /** The user signing in as `mailbox`. */
  userNamed(mailbox: string): MsUser {
    const user = this.users.get(mailbox.toLowerCase());
    if (!user) throw new Error(`the identity emulator has no user ${mailbox}`);
    return user;
  }

  /**
   * Revokes every refresh and access token of a mailbox: `grant` answers AADSTS50173 (the
   * grant was revoked: password reset, sign-out everywhere), `consent` AADSTS65001 (the
   * user removed the app's consent).
   */
  revoke(email: string, how: Revocation = 'grant'): void {
    this.revoked.set(email.toLowerCase(), how);
    for (const [token, grant] of this.refreshTokens) if (grant.user.email === email) this.refreshTokens.delete(token);
    for (const [token, grant] of this.accessTokens) if (grant.user.email === email) this.accessTokens.delete(token);
  }

  /** What Graph needs to know about a bearer token, or undefined when it is not valid now. */
  validateAccessToken(token: string): { mailbox: string; scopes: string[] } | undefined {
    const grant = this.accessTokens.get(token);
    if (!grant || grant.expiresAt <= this.clock.now()) return undefined;
    return { mailbox: grant.user.email, scopes: grant.scopes };
  }

  /** Serves the identity endpoints under any tenant segment. */
  readonly handler: MsHandler = async (req, res, url) => {
    const m = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/authorize|oauth2\/v2\.0\/token|discovery\/instance)$/.exec(url.pathname);
    if (!m) return false;
    const [, tenant, endpoint] = m as unknown as [string, string, string];
    const origin = `https://${req.headers.host ?? '127.0.0.1'}`;
    if (endpoint.startsWith('v2.0')) this.discovery(res, origin, tenant);
    else if (endpoint === 'discovery/instance') this.instanceDiscovery(res, origin, url);
    else if (endpoint.endsWith('authorize')) this.authorize(res, url);
    else await this.token(req, res, origin);
    return true;
  };

  private discovery(res: ServerResponse, origin: string, tenant: string): void {
    sendJsonBody(res, 200, {
      issuer: `${origin}/${this.tenantId}/v2.0`,
      authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/authorize`,
      token_endpoint: `${origin}/${tenant}/oauth2/v2.0/token`,
      end_session_endpoint: `${origin}/${tenant}/oauth2/v2.0/logout`,
      jwks_uri: `${origin}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      tenant_region_scope: 'EU',
    });
  }

  /** Azure AD's instance discovery, should MSAL ask for it: this host is its own cloud. */
  private instanceDiscovery(res: ServerResponse, origin: string, url: URL): void {
    const host = new URL(origin).host;
    sendJsonBody(res, 200, {
      tenant_discovery_endpoint: `${url.searchParams.get('authorization_endpoint')?.replace(/oauth2\/v2\.0\/authorize$/, '') ?? `${origin}/common/`}v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  }

  private authorize(res: ServerResponse, url: URL): void {
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri') ?? '';
    const state = q.get('state');
    if (q.get('client_id') !== this.clientId) {
      sendJsonBody(res, 400, aadError('unauthorized_client', 700016, `Application with identifier '${q.get('client_id')}' was not found in the directory.`));
      return;
    }
    const back = new URL(redirectUri);
    if (state !== null) back.searchParams.set('state', state);
    if (this.mode === 'deny') {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'AADSTS65004: User declined to consent to access the app.');
      redirect(res, back);
      return;
    }
    const hint = q.get('login_hint')?.toLowerCase();
    const chosen = this.signInAs?.toLowerCase();
    const user = (hint ? this.users.get(hint) : undefined) ?? (chosen ? this.users.get(chosen) : undefined) ?? this.users.values().next().value;
    if (!user || q.get('response_type') !== 'code' || !q.get('code_challenge')) {
      back.searchParams.set('error', 'invalid_request');
      back.searchParams.set('error_description', 'AADSTS900144: a user, response_type=code and a code_challenge are required.');
      redirect(res, back);
      return;
    }
    const code = `code-${randomBytes(18).toString('base64url')}`;
    this.codes.set(code, {
      user,
      clientId: this.clientId,
      redirectUri,
      challenge: q.get('code_challenge')!,
      method: q.get('code_challenge_method') ?? 'plain',
      scopes: this.delegatedScopes(q.get('scope') ?? ''),
      expiresAt: this.clock.now() + 10 * 60_000,
    });
    back.searchParams.set('code', code);
    back.searchParams.set('session_state', randomUUID());
    redirect(res, back);
  }

  private async token(req: IncomingMessage, res: ServerResponse, origin: string): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const grantType = form.get('grant_type') ?? '';
    const clientSecret = form.get('client_secret');
    const redeemed = grantType === 'authorization_code' ? { code: form.get('code') ?? '', codeVerifier: form.get('code_verifier') ?? '' } : {};
    this.tokenRequests.push({ grantType, scope: form.get('scope') ?? '', ...(clientSecret ? { clientSecret } : {}), ...redeemed });
    if (form.get('client_id') !== this.clientId) {
      sendJsonBody(res, 400, aadError('unauthorized_client', 700016, `Application with identifier '${form.get('client_id')}' was not found in the directory.`));
      return;
    }
    let grant: Grant;
    if (grantType === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      if (!code || code.expiresAt <= this.clock.now()) {
        sendJsonBody(res, 400, aadError('invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed or has expired, please retry with a new valid code.'));
        return;
      }
      if (form.get('redirect_uri') !== code.redirectUri) {
        sendJsonBody(res, 400, aadError('invalid_grant', 500112, 'The reply address does not match the reply address provided when requesting the authorization code.'));
        return;
      }
      const verifier = form.get('code_verifier') ?? '';
      const computed = code.method === 'S256' ? createHash('sha256').update(verifier, 'ascii').digest('base64url') : verifier;
      if (code.method !== 'S256' || computed !== code.challenge) {
        sendJsonBody(res, 400, aadError('invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.'));
        return;
      }
      this.revoked.delete(code.user.email.toLowerCase());
      grant = { user: code.user, scopes: code.scopes };
    } else if (grantType === 'refresh_token') {
      const token = form.get('refresh_token') ?? '';
      const found = this.refreshTokens.get(token);
      if (!found) {
        sendJsonBody(res, 400, this.refreshRefusal(token));
        return;
      }
      // Azure AD rotates refresh tokens; the old one keeps working for a while, which does
      // not matter here.
      grant = found;
    } else {
      sendJsonBody(res, 400, aadError('unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`));
      return;
    }
    this.issue(res, origin, grant, form.get('scope') ?? '');
  }

  private refreshRefusal(token: string): object {
    const how = this.revocationOf(token);
    if (how === 'consent') {
      return {
        ...aadError('invalid_grant', 65001, `The user or administrator has not consented to use the application with ID '${this.clientId}'. Send an interactive authorization request for this user and resource.`),
        suberror: 'consent_required',
      };
    }
    return aadError('invalid_grant', 50173, 'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.');
  }

  private revocationOf(token: string): Revocation | undefined {
    const email = Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8').toLowerCase();
    return this.revoked.get(email);
  }

  private issue(res: ServerResponse, origin: string, grant: Grant, asked: string): void {
    const now = this.clock.now();
    const accessToken = `at-${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(accessToken, { ...grant, expiresAt: now + this.accessTokenLifetimeSeconds * 1000 });
    // The mailbox rides in the token's middle part only so a refusal can name its cause.
    const refreshToken = `rt-${randomBytes(24).toString('base64url')}.${Buffer.from(grant.user.email).toString('base64url')}`;
    this.refreshTokens.set(refreshToken, grant);
    const iat = Math.floor(now / 1000);
    const user = grant.user;
    const claims = {
      aud: this.clientId,
      iss: `${origin}/${user.tenantId}/v2.0`,
      iat,
      nbf: iat,
      exp: iat + 3600,
      name: user.name,
      oid: user.oid,
      preferred_username: user.email,
      ...(user.emailClaim === null ? {} : { email: user.emailClaim }),
      ...(user.xmsEdov === undefined ? {} : { xms_edov: user.xmsEdov }),
      sub: createHash('sha256').update(user.oid).digest('base64url').slice(0, 43),
      tid: user.tenantId,
      ver: '2.0',
    };
    const oidc = asked.split(/\s+/).filter((s) => OIDC_SCOPES.has(s) && s !== 'offline_access');
    sendJsonBody(res, 200, {
      token_type: 'Bearer',
      scope: [...grant.scopes, ...oidc].join(' '),
      expires_in: this.accessTokenLifetimeSeconds,
      ext_expires_in: this.accessTokenLifetimeSeconds,
      access_token: accessToken,
      ...(asked.split(/\s+/).includes('offline_access') ? { refresh_token: refreshToken } : {}),
      id_token: `${b64json({ typ: 'JWT', alg: 'RS256', kid: 'emulator' })}.${b64json(claims)}.ZW11bGF0b3I`,
      client_info: b64json({ uid: user.oid, utid: user.tenantId }),
    }, { 'cache-control': 'no-store' });
  }

  /** The delegated (resource) scopes of a request, as Azure AD echoes them. */
  private delegatedScopes(asked: string): string[] {
    if (this.grantScopes) return [...this.grantScopes];
    return asked
      .split(/\s+/)
      .filter((s) => s && !OIDC_SCOPES.has(s))
      .map((s) => (s.startsWith(GRAPH_PREFIX) ? s.slice(GRAPH_PREFIX.length) : s));
  }
}

/** A running identity emulator on its own https port. */
export interface IdentityEmulator {
  platform: IdentityPlatform;
  server: LoopbackHttps;
  /** The authority to configure (`SINEW_MS_AUTHORITY`), tenant `common`. */
  authority: string;
  close(): Promise<void>;
}

/** Starts an {@link IdentityPlatform} alone on an https loopback port, with `users` added. */
export async function startIdentityEmulator(opts: IdentityPlatformOptions & { users?: string[] } = {}): Promise<IdentityEmulator> {
  const platform = new IdentityPlatform(opts);
  for (const u of opts.users ?? ['ada@contoso.example']) platform.addUser(u);
  const server = await startLoopbackHttps([platform.handler]);
  return { platform, server, authority: `${server.origin}/common`, close: () => server.close() };
}

/** Azure AD's token-endpoint error body. */
export function aadError(error: string, code: number, description: string): Record<string, unknown> {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  return {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: 2026-11-23 07:00:00Z`,
    error_codes: [code],
    timestamp: '2026-11-23 07:00:00Z',
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}

function redirect(res: ServerResponse, to: URL): void {
  res.writeHead(302, { location: to.toString(), 'content-length': 0 });
  res.end();
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A stable GUID-shaped object id per address. */
function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed.toLowerCase()).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
