import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '#lib/time/clock.ts';

/**
 * A loopback emulator of Google's OAuth 2.0 endpoints (authorization code with PKCE, refresh,
 * revoke), speaking Google's wire format: `/o/oauth2/v2/auth`, `/token`, `/revoke`. It
 * consents on behalf of one configured user, and exposes what it received for assertions.
 * The Gmail and Calendar emulators check bearer tokens with `validateAccessToken`.
 */

export interface EmulatedGoogleUser {
  email: string;
  /** Google's stable account id. */
  sub: string;
}

export interface OAuthEmulatorOptions {
  clientId: string;
  /** When set, /token requires it (form field or HTTP Basic), as Google does. */
  clientSecret?: string;
  user?: EmulatedGoogleUser;
  /** Registered redirect URIs (Web clients). Loopback IP redirects on any port are always allowed (Desktop clients). */
  redirectUris?: string[];
  clock?: Clock;
  /** @default 3599, as Google issues */
  accessTokenTtlSeconds?: number;
}

/** What the emulator knows about a valid access token. */
export interface AccessTokenInfo {
  email: string;
  sub: string;
  clientId: string;
  scopes: string[];
}

export interface AuthorizationRecord {
  params: Record<string, string>;
  /** 'redirected' with a code, 'denied' (access_denied), or the error code of a refused request. */
  outcome: string;
}

export interface TokenRequestRecord {
  grantType: string;
  params: Record<string, string>;
  status: number;
}

interface Grant {
  id: string;
  user: EmulatedGoogleUser;
  clientId: string;
  scopes: string[];
  revoked: boolean;
}

interface CodeRecord {
  grant: Grant;
  redirectUri: string;
  challenge: string | undefined;
  method: string | undefined;
  offline: boolean;
  expiresAt: number;
  used: boolean;
}

const SCOPE_ALIASES: Record<string, string> = {
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
};
const ID_TOKEN_KEY = 'google-oauth-emulator-not-google';
const CODE_TTL_MS = 10 * 60 * 1000;

/** Google's OAuth endpoints for one OAuth client and one consenting user; see the file comment. */
export class GoogleOAuthEmulator {
  /** 'approve' redirects with a code; 'deny' redirects with error=access_denied. */
  consent: 'approve' | 'deny' = 'approve';
  /**
   * Opt-in (browser tests): answer the authorization request with an HTML consent page
   * naming the app and the scopes, whose "Allow" and "Cancel" buttons decide; `consent` is
   * then not consulted. Off by default: the request is answered at once.
   */
  interactive = false;
  /** The app name the interactive consent page shows. */
  appName = 'Sinew';
  /** Scopes to grant instead of those requested (unticked boxes, or an old broader grant). */
  grantScopes: string[] | undefined;
  /** Claims merged into the next ID tokens (aud, email_verified, ...). */
  idTokenOverrides: Record<string, unknown> = {};
  /** Every authorization request, in order. */
  readonly authorizations: AuthorizationRecord[] = [];
  /** Every token request, in order. */
  readonly tokenRequests: TokenRequestRecord[] = [];
  /** Tokens presented to /revoke and accepted. */
  readonly revoked: string[] = [];
  /** Codes issued, by code. */
  readonly codes = new Map<string, CodeRecord>();
  user: EmulatedGoogleUser;

  /** Authorization requests waiting on the interactive page's answer, by id. */
  private readonly pending = new Map<string, { params: Record<string, string>; requested: string[]; redirectUri: string }>();
  private readonly accessTokens = new Map<string, { grant: Grant; expiresAt: number }>();
  private readonly refreshTokens = new Map<string, Grant>();
  private readonly clock: Clock;
  private readonly ttlSeconds: number;

  constructor(private readonly options: OAuthEmulatorOptions) {
    this.user = options.user ?? { email: 'pat@example.com', sub: '104857600000000000001' };
    this.clock = options.clock ?? systemClock;
    this.ttlSeconds = options.accessTokenTtlSeconds ?? 3599;
  }

  /** Handles the request when it is one of ours; resolves false otherwise. */
  readonly handle = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname === '/o/oauth2/v2/auth' && req.method === 'GET') {
      this.authorize(url, res);
      return true;
    }
    if (url.pathname === '/o/oauth2/v2/auth/decide' && req.method === 'POST') {
      await this.decide(req, res);
      return true;
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      await this.token(req, res);
      return true;
    }
    if (url.pathname === '/revoke' && req.method === 'POST') {
      await this.revokeEndpoint(req, res, url);
      return true;
    }
    return false;
  };

  /** The token's user and scopes when it is a live access token; undefined otherwise. */
  validateAccessToken(token: string): AccessTokenInfo | undefined {
    const t = this.accessTokens.get(token);
    if (!t || t.grant.revoked || this.clock.now() >= t.expiresAt) return undefined;
    return { email: t.grant.user.email, sub: t.grant.user.sub, clientId: t.grant.clientId, scopes: [...t.grant.scopes] };
  }

  /** Revokes every grant (as when the user removes the app in their Google account). */
  revokeAllGrants(): void {
    for (const grant of this.refreshTokens.values()) grant.revoked = true;
    for (const { grant } of this.accessTokens.values()) grant.revoked = true;
  }

  /** Makes every issued access token expired, forcing clients to refresh. */
  expireAccessTokens(): void {
    for (const t of this.accessTokens.values()) t.expiresAt = this.clock.now();
  }

  /** Refresh tokens issued so far. */
  get issuedRefreshTokens(): string[] {
    return [...this.refreshTokens.keys()];
  }

  private authorize(url: URL, res: ServerResponse): void {
    const params = Object.fromEntries(url.searchParams);
    const refuse = (error: string, detail: string): void => {
      this.authorizations.push({ params, outcome: error });
      // Google shows an error page to the user rather than redirecting for these.
      res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>Error 400: ${error}</title><p>Error 400: ${error}</p><p>${detail}</p>`);
    };
    if (params.client_id !== this.options.clientId) return refuse('invalid_client', 'The OAuth client was not found.');
    const redirectUri = params.redirect_uri ?? '';
    if (!this.redirectAllowed(redirectUri)) return refuse('redirect_uri_mismatch', `redirect_uri=${redirectUri}`);
    if (params.response_type !== 'code') return refuse('unsupported_response_type', `response_type=${params.response_type ?? ''}`);
    const requested = (params.scope ?? '').split(/\s+/).filter(Boolean);
    if (requested.length === 0) return refuse('invalid_request', 'Missing required parameter: scope');
    const unknown = requested.filter((s) => !(s === 'openid' || s in SCOPE_ALIASES || s.startsWith('https://www.googleapis.com/auth/') || s === 'https://mail.google.com/'));
    if (unknown.length > 0) return refuse('invalid_scope', `Some requested scopes were invalid: ${unknown.join(' ')}`);
    const challenge = params.code_challenge;
    const method = params.code_challenge_method;
    // Google accepts flows without PKCE; this emulator requires it so tests prove we send it.
    if (!challenge) return refuse('invalid_request', 'Missing required parameter: code_challenge');
    if (method !== 'S256') return refuse('invalid_request', `code_challenge_method must be S256 (got ${method ?? 'none'})`);
    if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(challenge)) return refuse('invalid_request', 'Invalid code_challenge.');
    if (!params.state) return refuse('invalid_request', 'Missing state (this emulator requires one).');

    if (this.interactive) {
      const id = random(12);
      this.pending.set(id, { params, requested, redirectUri });
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(consentPage(this.appName, this.user.email, requested, id));
      return;
    }
    this.answer(params, requested, redirectUri, this.consent === 'approve', res);
  }

  /** The interactive page's form: Allow or Cancel for one pending request. */
  private async decide(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const waiting = this.pending.get(form.get('id') ?? '');
    if (!waiting) {
      res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Error 400</title><p>This consent request is unknown or was already answered.</p>');
      return;
    }
    this.pending.delete(form.get('id')!);
    this.answer(waiting.params, waiting.requested, waiting.redirectUri, form.get('decision') === 'allow', res);
  }

  /** Redirects back to the client with a code (approved) or `error=access_denied`. */
  private answer(params: Record<string, string>, requested: string[], redirectUri: string, approve: boolean, res: ServerResponse): void {
    const back = new URL(redirectUri);
    if (!approve) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('state', params.state!);
      this.authorizations.push({ params, outcome: 'denied' });
      res.writeHead(302, { Location: back.toString() });
      res.end();
      return;
    }
    const scopes = normalizeScopes(this.grantScopes ?? requested);
    const grant: Grant = { id: random(8), user: { ...this.user }, clientId: params.client_id!, scopes, revoked: false };
    const code = `4/0A${random(24)}`;
    this.codes.set(code, {
      grant,
      redirectUri,
      challenge: params.code_challenge,
      method: params.code_challenge_method,
      offline: params.access_type === 'offline',
      expiresAt: this.clock.now() + CODE_TTL_MS,
      used: false,
    });
    back.searchParams.set('state', params.state!);
    back.searchParams.set('code', code);
    back.searchParams.set('scope', scopes.join(' '));
    this.authorizations.push({ params, outcome: 'redirected' });
    res.writeHead(302, { Location: back.toString() });
    res.end();
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const params = Object.fromEntries(new URLSearchParams(await readBody(req)));
    const grantType = params.grant_type ?? '';
    const answer = (status: number, body: object): void => {
      this.tokenRequests.push({ grantType, params, status });
      json(res, status, body);
    };
    const basic = basicAuth(req);
    const clientId = basic?.id ?? params.client_id;
    const secret = basic?.secret ?? params.client_secret;
    if (clientId !== this.options.clientId) return answer(401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
    if (this.options.clientSecret !== undefined && secret !== this.options.clientSecret) {
      return answer(401, { error: 'invalid_client', error_description: 'Unauthorized' });
    }
    if (grantType === 'authorization_code') {
      const code = this.codes.get(params.code ?? '');
      if (!code) return answer(400, { error: 'invalid_grant', error_description: 'Malformed auth code.' });
      if (code.used || this.clock.now() >= code.expiresAt) return answer(400, { error: 'invalid_grant', error_description: 'Bad Request' });
      // Single use, whatever happens next: a second attempt with the right verifier fails too.
      code.used = true;
      if (params.redirect_uri !== code.redirectUri) return answer(400, { error: 'redirect_uri_mismatch', error_description: 'Bad Request' });
      if (code.challenge) {
        if (!params.code_verifier) return answer(400, { error: 'invalid_grant', error_description: 'Missing code verifier.' });
        const computed = createHash('sha256').update(params.code_verifier, 'ascii').digest('base64url');
        if (computed !== code.challenge) return answer(400, { error: 'invalid_grant', error_description: 'Invalid code verifier.' });
      }
      return answer(200, this.issue(code.grant, code.offline));
    }
    if (grantType === 'refresh_token') {
      const grant = this.refreshTokens.get(params.refresh_token ?? '');
      if (!grant || grant.revoked || grant.clientId !== clientId) {
        return answer(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      }
      return answer(200, this.issue(grant, false));
    }
    return answer(400, { error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${grantType}` });
  }

  private issue(grant: Grant, withRefreshToken: boolean): Record<string, unknown> {
    const accessToken = `ya29.emu-${random(24)}`;
    this.accessTokens.set(accessToken, { grant, expiresAt: this.clock.now() + this.ttlSeconds * 1000 });
    const body: Record<string, unknown> = {
      access_token: accessToken,
      expires_in: this.ttlSeconds,
      scope: grant.scopes.join(' '),
      token_type: 'Bearer',
    };
    if (withRefreshToken) {
      const refreshToken = `1//emu-${random(32)}`;
      this.refreshTokens.set(refreshToken, grant);
      body.refresh_token = refreshToken;
    }
    if (grant.scopes.includes('openid')) body.id_token = this.idToken(grant);
    return body;
  }

  private idToken(grant: Grant): string {
    const now = Math.floor(this.clock.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: 'https://accounts.google.com',
      azp: grant.clientId,
      aud: grant.clientId,
      sub: grant.user.sub,
      iat: now,
      exp: now + 3600,
      ...(grant.scopes.includes(SCOPE_ALIASES.email!) ? { email: grant.user.email, email_verified: true } : {}),
      ...this.idTokenOverrides,
    };
    // HS256 with a key no client knows: real enough in shape, and nobody can mistake it for Google's.
    const head = b64json({ alg: 'HS256', kid: 'emulator', typ: 'JWT' });
    const body = b64json(claims);
    const sig = createHmac('sha256', ID_TOKEN_KEY).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${sig}`;
  }

  private async revokeEndpoint(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const token = url.searchParams.get('token') ?? form.get('token') ?? '';
    const grant = this.refreshTokens.get(token) ?? this.accessTokens.get(token)?.grant;
    if (!grant || grant.revoked) return json(res, 400, { error: 'invalid_token', error_description: 'Token expired or revoked' });
    // Revoking either token of a grant revokes the whole grant, as Google does.
    grant.revoked = true;
    this.revoked.push(token);
    json(res, 200, {});
  }

  private redirectAllowed(uri: string): boolean {
    if (this.options.redirectUris?.includes(uri)) return true;
    try {
      const u = new URL(uri);
      return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === '[::1]' || u.hostname === 'localhost') && u.port !== '';
    } catch {
      return false;
    }
  }
}

/** Serves one handler on 127.0.0.1 with a random port (404 for anything it does not handle). */
export async function serveOnLoopback(
  handle: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    handle(req, res, url)
      .then((handled) => {
        if (!handled) json(res, 404, { error: { code: 404, message: 'Not Found', status: 'NOT_FOUND' } });
      })
      .catch((err: unknown) => {
        if (!res.headersSent) json(res, 500, { error: { code: 500, message: String(err), status: 'INTERNAL' } });
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Google's consent screen in miniature: the app, the account, the scopes, Allow and Cancel. */
function consentPage(appName: string, email: string, scopes: string[], id: string): string {
  const esc = (t: string): string => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in - Google Accounts</title></head><body>` +
    `<h1>${esc(appName)} wants to access your Google Account</h1><p>${esc(email)}</p>` +
    `<p>This will allow ${esc(appName)} to:</p><ul>${scopes.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>` +
    `<form method="post" action="/o/oauth2/v2/auth/decide"><input type="hidden" name="id" value="${esc(id)}">` +
    `<button type="submit" name="decision" value="deny">Cancel</button> <button type="submit" name="decision" value="allow">Allow</button></form>` +
    `</body></html>`
  );
}

function normalizeScopes(scopes: string[]): string[] {
  return [...new Set(scopes.map((s) => SCOPE_ALIASES[s] ?? s))];
}

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function basicAuth(req: IncomingMessage): { id: string; secret: string } | undefined {
  const m = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const [id, ...rest] = Buffer.from(m[1]!, 'base64').toString('utf8').split(':');
  return { id: decodeURIComponent(id ?? ''), secret: decodeURIComponent(rest.join(':')) };
}

function b64json(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function random(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}
