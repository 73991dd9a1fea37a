import { ConfigError, ProviderUnavailableError, ReconnectRequiredError, SinewError } from '#lib/errors.ts';
import { ConsentError } from '#lib/connect/errors.ts';

/** The slice of a GaxiosError we read; duck-typed so we need not import gaxios directly. */
interface HttpFailure {
  message?: string;
  status?: number;
  code?: string | number;
  response?: { status?: number; data?: unknown };
}

/** Google's token-endpoint error body (RFC 6749 section 5.2). */
function oauthError(err: HttpFailure): { error: string; description: string } | undefined {
  const data = err.response?.data;
  if (data && typeof data === 'object' && typeof (data as { error?: unknown }).error === 'string') {
    const d = data as { error: string; error_description?: unknown };
    return { error: d.error, description: typeof d.error_description === 'string' ? d.error_description : '' };
  }
  return undefined;
}

/**
 * Maps a failed call to Google's token or revoke endpoint to our errors, at the adapter
 * boundary: `invalid_grant` on refresh means the grant is gone (revoked, expired, password
 * changed) and only the owner can fix it; `invalid_client` means our client id or secret is
 * wrong; 5xx, 429 and network failures (after gaxios's own retries) mean Google is
 * unavailable.
 */
export function mapTokenEndpointError(err: unknown, during: 'exchange' | 'refresh' | 'revoke'): Error {
  if (err instanceof SinewError) return err;
  const e = (err ?? {}) as HttpFailure;
  const status = e.response?.status ?? e.status;
  const body = oauthError(e);
  const said = body ? `${body.error}${body.description ? `: ${body.description}` : ''}` : (e.message ?? String(err));
  if (body?.error === 'invalid_client' || body?.error === 'unauthorized_client') {
    return new ConfigError(`Google refused the OAuth client (${said}); check SINEW_GOOGLE_CLIENT_ID and SINEW_GOOGLE_CLIENT_SECRET`, {
      cause: err,
    });
  }
  if (body?.error === 'redirect_uri_mismatch') {
    return new ConfigError(`Google refused the redirect URI (${said}); register it for this OAuth client`, { cause: err });
  }
  if (body?.error === 'invalid_grant') {
    if (during === 'refresh') {
      return new ReconnectRequiredError(`Google refused the refresh token (${said}); the account must be connected again`, {
        cause: err,
      });
    }
    return new ConsentError(`Google refused the authorization code (${said}); start connecting again`, 'code-refused', { cause: err });
  }
  if (status === undefined || status === 429 || status >= 500) {
    return new ProviderUnavailableError(`Google's token endpoint is unavailable during ${during} (${said})`, status, { cause: err });
  }
  // Any other 4xx (invalid_request, invalid_scope) is a request we should not have made.
  return new SinewError(`Google's token endpoint refused the ${during} request with ${status} (${said})`, { cause: err });
}

/** True when a revoke failed only because the token is already gone, which is the goal. */
export function alreadyRevoked(err: unknown): boolean {
  const e = (err ?? {}) as HttpFailure;
  return (e.response?.status ?? e.status) === 400 && oauthError(e)?.error === 'invalid_token';
}
