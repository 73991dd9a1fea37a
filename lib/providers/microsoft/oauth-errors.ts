import { ConfigError, ProviderUnavailableError, ReconnectRequiredError, SinewError } from '#lib/errors.ts';
import { ConsentError } from '#lib/connect/errors.ts';

/** The slice of an MSAL `AuthError` / `ServerError` / `InteractionRequiredAuthError` we read (duck-typed). */
interface MsalFailure {
  name?: string;
  message?: string;
  errorCode?: string;
  errorMessage?: string;
  subError?: string;
  errorNo?: string;
  status?: number;
}

/**
 * Azure AD error numbers (the `AADSTSnnnnn` in `error_description`) that mean the grant is
 * gone and only its owner can bring it back by signing in again:
 * 50173 grant revoked (password reset, "sign out everywhere"), 65001 consent removed or
 * never given, 70000 invalid grant, 70008 refresh token expired from inactivity,
 * 700082 refresh token expired, 700084 SPA refresh token lifetime, 50076/50079 MFA
 * (re-)registration required, 50078 MFA expired, 50158 external challenge, 53003 blocked by
 * conditional access, 50057 account disabled, 50034 account no longer exists, 50140 keep
 * me signed in interrupt, 50133 session invalid after password change.
 */
const RECONNECT_CODES: ReadonlySet<string> = new Set([
  '50173', '65001', '70000', '70008', '700082', '700084', '50076', '50079', '50078', '50158', '53003', '50057', '50034', '50140', '50133',
]);

/** MSAL error codes (RFC 6749 or MSAL's own) that mean an interactive sign-in is needed. */
const RECONNECT_ERRORS: ReadonlySet<string> = new Set([
  'invalid_grant', 'interaction_required', 'consent_required', 'login_required', 'no_tokens_found', 'refresh_token_expired', 'bad_token',
  'no_account_in_silent_request',
]);

/** The application itself is misconfigured: unknown client id, wrong secret, unregistered redirect. */
const CONFIG_CODES: ReadonlySet<string> = new Set(['700016', '7000215', '7000222', '50011', '500113', '90002', '50020', '700054']);

/** The `AADSTSnnnnn` number of a failure, from MSAL's `errorNo` or the description text. */
export function aadstsCode(err: unknown): string | undefined {
  const e = (err ?? {}) as MsalFailure;
  if (e.errorNo) return String(e.errorNo);
  return /AADSTS(\d+)/.exec(e.errorMessage ?? e.message ?? '')?.[1];
}

/**
 * Maps a failed MSAL call to Sinew's errors at the adapter boundary.
 * - On refresh (./refresh.ts, which raises failures shaped as MSAL's `acquireTokenSilent`
 *   did): a lost grant (`invalid_grant`, `interaction_required` and the AADSTS numbers
 *   above) is `ReconnectRequiredError`: the account turns `needs-reconnect`, and retrying
 *   cannot help.
 * - On the code exchange, a refused code is a `ConsentError` (start connecting again).
 * - A rejected application (AADSTS700016 unknown client, 7000215 wrong secret, redirect
 *   mismatch) is a `ConfigError`; a network failure or 5xx/429 `ProviderUnavailableError`.
 */
export function mapMsalError(err: unknown, during: 'exchange' | 'refresh' | 'discovery'): Error {
  if (err instanceof SinewError) return err;
  const e = (err ?? {}) as MsalFailure;
  const code = aadstsCode(err);
  const errorCode = e.errorCode ?? '';
  const said = `${errorCode || e.name || 'error'}${e.errorMessage || e.message ? `: ${firstLine(e.errorMessage || e.message || '')}` : ''}`;
  if ((code && CONFIG_CODES.has(code)) || errorCode === 'invalid_client' || errorCode === 'unauthorized_client') {
    return new ConfigError(
      `Microsoft refused the application (${said}); check SINEW_MS_CLIENT_ID, SINEW_MS_CLIENT_SECRET and the redirect URIs of the app registration`,
      { cause: err },
    );
  }
  if (e.name === 'ClientConfigurationError') {
    return new ConfigError(`MSAL refused its configuration (${said}); check SINEW_MS_AUTHORITY`, { cause: err });
  }
  const lostGrant = (code !== undefined && RECONNECT_CODES.has(code)) || RECONNECT_ERRORS.has(errorCode) || e.name === 'InteractionRequiredAuthError';
  if (lostGrant) {
    if (during === 'exchange') {
      return new ConsentError(`Microsoft refused the authorization code (${said}); start connecting again`, 'code-refused', { cause: err });
    }
    return new ReconnectRequiredError(`Microsoft refused to refresh the account's token (${said}); the account must be connected again`, {
      cause: err,
    });
  }
  const status = e.status;
  if (status === undefined || status === 429 || status >= 500) {
    // No HTTP status at discovery is a network or TLS failure (MSAL drops the cause): a
    // proxy that re-signs TLS is the common one, and Node trusts its CA only from start-up.
    const hint = during === 'discovery' && status === undefined
      ? "; check that SINEW_MS_AUTHORITY is reachable, and behind a TLS-inspecting proxy start with NODE_EXTRA_CA_CERTS=<its CA file>"
      : '';
    return new ProviderUnavailableError(`the Microsoft identity platform is unavailable during ${during} (${said})${hint}`, status, { cause: err });
  }
  return new SinewError(`the Microsoft identity platform refused the ${during} request with ${status} (${said})`, { cause: err });
}

function firstLine(text: string): string {
  // Azure AD appends trace and correlation ids after the first sentence: noise in a CLI line.
  return text.split(/\r?\n| Trace ID:/)[0]!.trim();
}
