import { CodeChallengeMethod, OAuth2Client, type Credentials } from 'google-auth-library';
import * as z from 'zod';
import type { Config } from '#lib/config.ts';
import { ConfigError } from '#lib/errors.ts';
import type { AuthorizationRequest, CodeExchange, ConnectedGrant, OAuthConsent } from '#lib/connect/consent.ts';
import { ConsentError } from '#lib/connect/errors.ts';
import { alreadyRevoked, mapTokenEndpointError } from './oauth-errors.ts';
import { endpointsOf } from '#lib/providers/endpoints.ts';
import { connectedProvider, type OAuthClientCredentials, type ProviderEndpoints } from '#lib/providers/registry.ts';
import { GOOGLE_CONNECT_SCOPES, scopeProblem } from './scopes.ts';

export { CALENDAR_EVENTS_READONLY_SCOPE, GMAIL_METADATA_SCOPE, GOOGLE_CONNECT_SCOPES, grantsCalendar, scopeProblem } from './scopes.ts';

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

/**
 * Google OAuth 2.0 for Sinew, around google-auth-library's `OAuth2Client`: the consent URL,
 * the code exchange with PKCE and the scope check, self-refreshing clients for the Gmail
 * and Calendar APIs, and revocation. Endpoints are configurable so the emulator, a proxy
 * or another deployment can stand in for Google.
 */
export class GoogleOAuth implements OAuthConsent<GoogleGrant> {
  private readonly endpoints: { oauth2AuthBaseUrl: string; oauth2TokenUrl: string; oauth2RevokeUrl: string };
  private readonly client: OAuth2Client;

  constructor(private readonly options: GoogleOAuthOptions) {
    if (!options.clientId) throw new ConfigError('SINEW_GOOGLE_CLIENT_ID: a Google OAuth client id is required to connect Gmail');
    const tokenUrl = options.tokenUrl ?? 'https://oauth2.googleapis.com/token';
    this.endpoints = {
      oauth2AuthBaseUrl: options.authUrl ?? 'https://accounts.google.com/o/oauth2/v2/auth',
      oauth2TokenUrl: tokenUrl,
      oauth2RevokeUrl: options.revokeUrl ?? new URL('revoke', tokenUrl).toString(),
    };
    this.client = this.newClient(OAuth2Client);
  }

  /**
   * The consent URL. `access_type=offline` for a refresh token; `prompt=select_account
   * consent` so Google always returns a refresh token and lets the user pick which mailbox
   * (connecting a second one needs the chooser); `include_granted_scopes=false` because
   * incremental authorization would fold any scope this client was ever granted (say
   * gmail.readonly from an older build) into the new token, breaking the metadata-only promise.
   */
  authorizationUrl(request: AuthorizationRequest): string {
    return this.client.generateAuthUrl({
      access_type: 'offline',
      prompt: 'select_account consent',
      include_granted_scopes: false,
      scope: [...GOOGLE_CONNECT_SCOPES],
      state: request.state,
      redirect_uri: request.redirectUri,
      code_challenge: request.codeChallenge,
      code_challenge_method: CodeChallengeMethod.S256,
      ...(request.loginHint ? { login_hint: request.loginHint } : {}),
    });
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
    let response: { tokens: Credentials };
    try {
      response = await this.client.getToken({
        code: exchange.code,
        codeVerifier: exchange.codeVerifier,
        redirect_uri: exchange.redirectUri,
      });
    } catch (err) {
      throw mapTokenEndpointError(err, 'exchange');
    }
    const tokens = tokenResponseSchema.safeParse(response.tokens);
    if (!tokens.success) {
      const missing = tokens.error.issues.map((i) => i.path.join('.')).join(', ');
      await this.revokeQuietly(response.tokens);
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
      await this.revokeQuietly(response.tokens);
      throw new ConsentError(problem, 'scopes');
    }
    let email: string;
    try {
      email = emailFromIdToken(t.id_token, this.options.clientId);
    } catch (err) {
      await this.revokeQuietly(response.tokens);
      throw err;
    }
    return { refreshToken: t.refresh_token, accessToken: t.access_token, expiresAt: t.expiry_date ?? undefined, email, grantedScopes };
  }

  /**
   * An `OAuth2Client` for the Gmail and Calendar clients that refreshes its own access token.
   * A refresh answered `invalid_grant` surfaces as `ReconnectRequiredError` (the account
   * turns `needs-reconnect`), a rejected client as `ConfigError`, an unavailable endpoint as
   * `ProviderUnavailableError`.
   */
  clientFor(refreshToken: string): OAuth2Client {
    const client = this.newClient(RefreshingOAuth2Client);
    client.setCredentials({ refresh_token: refreshToken });
    return client;
  }

  /**
   * Revokes a token (refresh or access; Google then revokes the whole grant). A token that
   * is already revoked or expired counts as success: disconnecting twice is not an error.
   */
  async revoke(token: string): Promise<void> {
    try {
      await this.client.revokeToken(token);
    } catch (err) {
      if (alreadyRevoked(err)) return;
      throw mapTokenEndpointError(err, 'revoke');
    }
  }

  private newClient<C extends OAuth2Client>(Ctor: new (opts: ConstructorParameters<typeof OAuth2Client>[0]) => C): C {
    // Node's own fetch, not gaxios's node-fetch fallback: the Lambda bundles leave node-fetch
    // and its polyfills out (infra/bundling.ts), and the tests run the same transport.
    return new Ctor({
      clientId: this.options.clientId,
      clientSecret: this.options.clientSecret,
      endpoints: this.endpoints,
      transporterOptions: { fetchImplementation: fetch },
    });
  }

  private async revokeQuietly(tokens: Credentials): Promise<void> {
    const token = tokens.refresh_token ?? tokens.access_token;
    // Best effort: the refusal we are about to report matters more than a failed cleanup.
    if (token) await this.revoke(token).catch(() => undefined);
  }
}

/** A `GoogleOAuth` from an OAuth app's credentials and the endpoints (the emulator's, a proxy's, or Google's). */
export function googleOAuthFor(credentials: OAuthClientCredentials, endpoints: Pick<ProviderEndpoints, 'googleAuthUrl' | 'googleTokenUrl'>): GoogleOAuth {
  return new GoogleOAuth({
    ...credentials,
    ...(endpoints.googleAuthUrl ? { authUrl: endpoints.googleAuthUrl } : {}),
    tokenUrl: endpoints.googleTokenUrl,
  });
}

/** A `GoogleOAuth` from the validated environment (lib/config.ts). */
export function googleOAuthFromConfig(config: Config): GoogleOAuth {
  return googleOAuthFor(connectedProvider('google')!.credentialsFromConfig(config), endpointsOf(config));
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  scope: z.string().min(1),
  id_token: z.string().min(1),
  expiry_date: z.number().nullish(),
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

/** Maps refresh failures at the one place google-auth-library refreshes. */
class RefreshingOAuth2Client extends OAuth2Client {
  protected override async refreshTokenNoCache(refreshToken?: string | null) {
    try {
      return await super.refreshTokenNoCache(refreshToken);
    } catch (err) {
      throw mapTokenEndpointError(err, 'refresh');
    }
  }
}
