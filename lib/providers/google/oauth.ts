import { OAuth2Client } from 'google-auth-library';
import type { Config } from '#lib/config.ts';
import { endpointsOf } from '#lib/providers/endpoints.ts';
import { connectedProvider, type OAuthClientCredentials, type ProviderEndpoints } from '#lib/providers/registry.ts';
import { GoogleConsent, googleOptions } from './consent.ts';
import { mapTokenEndpointError } from './oauth-errors.ts';

export { CALENDAR_EVENTS_READONLY_SCOPE, GMAIL_METADATA_SCOPE, GOOGLE_CONNECT_SCOPES, grantsCalendar, scopeProblem } from './scopes.ts';
export { GoogleConsent, googleConsentFor, type GoogleGrant, type GoogleOAuthOptions } from './consent.ts';

/**
 * Google OAuth 2.0 for sync: the consent of {@link GoogleConsent} (Node's fetch) and
 * self-refreshing clients for the Gmail and Calendar APIs, around google-auth-library's
 * `OAuth2Client`, which the Google API clients take.
 */
export class GoogleOAuth extends GoogleConsent {
  /**
   * An `OAuth2Client` for the Gmail and Calendar clients that refreshes its own access token.
   * A refresh answered `invalid_grant` surfaces as `ReconnectRequiredError` (the account
   * turns `needs-reconnect`), a rejected client as `ConfigError`, an unavailable endpoint as
   * `ProviderUnavailableError`.
   */
  clientFor(refreshToken: string): OAuth2Client {
    // Node's own fetch, not gaxios's node-fetch fallback: the Lambda bundles leave node-fetch
    // and its polyfills out (infra/bundling.ts), and the tests run the same transport.
    const client = new RefreshingOAuth2Client({
      clientId: this.options.clientId,
      clientSecret: this.options.clientSecret,
      endpoints: this.endpoints,
      transporterOptions: { fetchImplementation: fetch },
    });
    client.setCredentials({ refresh_token: refreshToken });
    return client;
  }
}

/** A `GoogleOAuth` from an OAuth app's credentials and the endpoints (the emulator's, a proxy's, or Google's). */
export function googleOAuthFor(credentials: OAuthClientCredentials, endpoints: Pick<ProviderEndpoints, 'googleAuthUrl' | 'googleTokenUrl'>): GoogleOAuth {
  return new GoogleOAuth(googleOptions(credentials, endpoints));
}

/** A `GoogleOAuth` from the validated environment (lib/config.ts). */
export function googleOAuthFromConfig(config: Config): GoogleOAuth {
  return googleOAuthFor(connectedProvider('google')!.credentialsFromConfig(config), endpointsOf(config));
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
