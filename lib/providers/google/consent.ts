import * as z from 'zod';
import { ConfigError } from '#lib/errors.ts';
import type { AuthorizationRequest, CodeExchange, ConnectedGrant, OAuthConsent } from '#lib/connect/consent.ts';
import { ConsentError } from '#lib/connect/errors.ts';
import type { OAuthClientCredentials, ProviderEndpoints } from '#lib/providers/registry.ts';
import { alreadyRevoked, mapTokenEndpointError } from './oauth-errors.ts';
import { GOOGLE_CONNECT_SCOPES, scopeProblem } from './scopes.ts';

export interface GoogleOAuthOptions {
  clientId: string;
  /** Google requires it even for Desktop clients, where it is not secret. */
  clientSecret?: string;
  /** @default https://accounts.google.com/o/oauth2/v2/auth */
  authUrl?: string;
  /** @default https://oauth2.googleapis.com/token */
  tokenUrl?: string;
  /** @default the token URL with its last segment replaced by `revoke` (Google's layout) */
  revokeUrl?: string;
}

/** The grant of a Google connect. */
export type GoogleGrant = ConnectedGrant;

/** Google's OAuth endpoints, as google-auth-library names them. */
export interface GoogleEndpoints {
  oauth2AuthBaseUrl: string;
  oauth2TokenUrl: string;
  oauth2RevokeUrl: string;
}

/** Resends of a token or revoke request that met no answer, a 429 or a 5xx (gaxios's default for these calls). */
const RETRIES = 3;
const FIRST_RETRY_MS = 100;

/**
 * Google's consent for Sinew with Node's fetch alone (the connect function and the links
 * function bundle no Google library): the consent URL, the code exchange with PKCE and
 * the scope check, and revocation, the same requests google-auth-library's `OAuth2Client`
 * sends. {@link GoogleOAuth} (oauth.ts) adds the self-refreshing API clients of sync.
 * Endpoints are configurable so the emulator, a proxy or another deployment can stand in.
 */
export class GoogleConsent implements OAuthConsent<GoogleGrant> {
  protected readonly endpoints: GoogleEndpoints;

  constructor(protected readonly options: GoogleOAuthOptions) {
    if (!options.clientId) throw new ConfigError('SINEW_GOOGLE_CLIENT_ID: a Google OAuth client id is required to connect Gmail');
    const tokenUrl = options.tokenUrl ?? 'https://oauth2.googleapis.com/token';
    this.endpoints = {
      oauth2AuthBaseUrl: options.authUrl ?? 'https://accounts.google.com/o/oauth2/v2/auth',
      oauth2TokenUrl: tokenUrl,
      oauth2RevokeUrl: options.revokeUrl ?? new URL('revoke', tokenUrl).toString(),
    };
  }

  /**
   * The consent URL. `access_type=offline` for a refresh token; `prompt=select_account
   * consent` so Google always returns a refresh token and lets the user pick which mailbox
   * (connecting a second one needs the chooser); `include_granted_scopes=false` because
   * incremental authorization would fold any scope this client was ever granted (say
   * gmail.readonly from an older build) into the new token, breaking the metadata-only promise.
   */
  authorizationUrl(request: AuthorizationRequest): string {
    const query = new URLSearchParams({
      access_type: 'offline',
      prompt: 'select_account consent',
      include_granted_scopes: 'false',
      scope: GOOGLE_CONNECT_SCOPES.join(' '),
      state: request.state,
      redirect_uri: request.redirectUri,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
      ...(request.loginHint ? { login_hint: request.loginHint } : {}),
      response_type: 'code',
      client_id: this.options.clientId,
    });
    return `${this.endpoints.oauth2AuthBaseUrl}?${query.toString().replace(/\+/g, '%20')}`;
  }

  /**
   * Trades the authorization code (with its PKCE verifier) for tokens and checks the grant:
   * a refresh token must come back, gmail.metadata must be granted and no broader Gmail
   * scope may be. A grant we refuse is revoked at once, so it does not linger on the user's
   * account. The address is read from the ID token without checking its signature: it came
   * straight from the token endpoint over TLS, which OpenID Connect Core 3.1.3.7 accepts in
   * place of the signature (and the emulator cannot sign as Google).
   */
  async exchangeCode(exchange: CodeExchange): Promise<GoogleGrant> {
    let answer: Record<string, unknown>;
    try {
      answer = await this.post(this.endpoints.oauth2TokenUrl, {
        client_id: this.options.clientId,
        code_verifier: exchange.codeVerifier,
        code: exchange.code,
        grant_type: 'authorization_code',
        redirect_uri: exchange.redirectUri,
        ...(this.options.clientSecret === undefined ? {} : { client_secret: this.options.clientSecret }),
      });
    } catch (err) {
      throw mapTokenEndpointError(err, 'exchange');
    }
    const tokens = tokenResponseSchema.safeParse(answer);
    if (!tokens.success) {
      const missing = tokens.error.issues.map((i) => i.path.join('.')).join(', ');
      await this.revokeQuietly(answer);
      throw new ConsentError(
        `Google's token response lacks ${missing}` +
          (missing.includes('refresh_token') ? ' (offline access was not granted)' : ''),
        'code-refused',
      );
    }
    const t = tokens.data;
    const grantedScopes = t.scope.split(/\s+/).filter(Boolean);
    const problem = scopeProblem(grantedScopes);
    if (problem) {
      await this.revokeQuietly(answer);
      throw new ConsentError(problem, 'scopes');
    }
    let email: string;
    try {
      email = emailFromIdToken(t.id_token, this.options.clientId);
    } catch (err) {
      await this.revokeQuietly(answer);
      throw err;
    }
    // An edge of the system: the expiry is the token endpoint's answer read against this clock.
    const expiresAt = t.expires_in == null ? undefined : Date.now() + t.expires_in * 1000;
    return { refreshToken: t.refresh_token, accessToken: t.access_token, expiresAt, email, grantedScopes };
  }

  /**
   * Revokes a token (refresh or access; Google then revokes the whole grant). A token that
   * is already revoked or expired counts as success: disconnecting twice is not an error.
   */
  async revoke(token: string): Promise<void> {
    const url = new URL(this.endpoints.oauth2RevokeUrl);
    url.searchParams.append('token', token);
    try {
      await this.post(url.toString());
    } catch (err) {
      if (alreadyRevoked(err)) return;
      throw mapTokenEndpointError(err, 'revoke');
    }
  }

  /**
   * One form POST to Google, its JSON answer; a refusal is thrown in the shape
   * mapTokenEndpointError reads (`status`, `response.data`). No answer, 429 and 5xx are
   * sent again a few times first, as google-auth-library does.
   */
  private async post(url: string, form?: Record<string, string>): Promise<Record<string, unknown>> {
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          ...(form ? { body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
        });
      } catch (cause) {
        if (attempt < RETRIES) {
          await pause(attempt);
          continue;
        }
        throw Object.assign(new Error(`request to Google failed: ${(cause as Error).message}`), { cause });
      }
      const text = await response.text();
      let data: unknown = text;
      try {
        data = text === '' ? {} : JSON.parse(text);
      } catch {
        // Not JSON (a proxy's error page): kept as text for the message.
      }
      if (response.ok) return (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
      if ((response.status === 429 || response.status >= 500) && attempt < RETRIES) {
        await pause(attempt);
        continue;
      }
      throw Object.assign(new Error(`Google answered ${response.status}`), { status: response.status, response: { status: response.status, data } });
    }
  }

  private async revokeQuietly(tokens: Record<string, unknown>): Promise<void> {
    const token = tokens.refresh_token ?? tokens.access_token;
    // Best effort: the refusal we are about to report matters more than a failed cleanup.
    if (typeof token === 'string' && token !== '') await this.revoke(token).catch(() => undefined);
  }
}

function pause(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, FIRST_RETRY_MS * 2 ** attempt));
}

/** A `GoogleConsent` from an OAuth app's credentials and the endpoints (the emulator's, a proxy's, or Google's). */
export function googleConsentFor(credentials: OAuthClientCredentials, endpoints: Pick<ProviderEndpoints, 'googleAuthUrl' | 'googleTokenUrl'>): GoogleConsent {
  return new GoogleConsent(googleOptions(credentials, endpoints));
}

/** The options of a Google consent or client from credentials and endpoints. */
export function googleOptions(credentials: OAuthClientCredentials, endpoints: Pick<ProviderEndpoints, 'googleAuthUrl' | 'googleTokenUrl'>): GoogleOAuthOptions {
  return { ...credentials, ...(endpoints.googleAuthUrl ? { authUrl: endpoints.googleAuthUrl } : {}), tokenUrl: endpoints.googleTokenUrl };
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  scope: z.string().min(1),
  id_token: z.string().min(1),
  expires_in: z.number().nullish(),
});

const idTokenClaims = z.object({
  aud: z.union([z.string(), z.array(z.string())]),
  email: z.string().min(3),
  email_verified: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
});

function emailFromIdToken(idToken: string, clientId: string): string {
  const payload = idToken.split('.')[1];
  let claims: z.infer<typeof idTokenClaims>;
  try {
    claims = idTokenClaims.parse(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')));
  } catch (cause) {
    throw new ConsentError('Google\'s ID token has no readable email claim (was the "email" scope granted?)', 'identity', { cause });
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(clientId)) {
    throw new ConsentError('Google\'s ID token was issued to another OAuth client', 'identity');
  }
  if (claims.email_verified === false || claims.email_verified === 'false') {
    throw new ConsentError(`Google has not verified the address ${claims.email}`, 'identity');
  }
  return claims.email;
}
