/**
 * One loopback "Google" for end-to-end tests: OAuth, Gmail and Calendar emulators on one
 * server (as SINEW_GOOGLE_API_ROOT serves both APIs), bearer tokens checked against the
 * OAuth emulator's table, all counted on one virtual clock.
 */
import type { Clock } from '#lib/time/clock.ts';
import { GMAIL_QUOTA_2026, GCAL_QUOTA } from '#lib/providers/google/quota.ts';
import { GoogleOAuth } from '#lib/providers/google/oauth.ts';
import { GoogleOAuthEmulator } from './oauth-emulator.ts';
import { gmailHandler } from './gmail-emulator.ts';
import type { GmailMailbox } from './gmail-mailbox.ts';
import { calendarHandler } from './calendar-emulator.ts';
import type { CalendarState } from './calendar-state.ts';
import { QuotaLedger } from './quota.ts';
import { startGoogleEmulator, type GoogleEmulator } from './server.ts';

export interface GoogleWorld {
  emulator: GoogleEmulator;
  oauthEmulator: GoogleOAuthEmulator;
  /** Our OAuth client, pointed at the emulator. */
  oauth: GoogleOAuth;
  ledger: QuotaLedger;
  close(): Promise<void>;
}

export const TEST_CLIENT = { clientId: 'sinew-test.apps.googleusercontent.com', clientSecret: 'test-secret' };

export async function startGoogleWorld(opts: {
  mailbox: GmailMailbox;
  calendar: CalendarState;
  clock: Clock;
  email?: string;
}): Promise<GoogleWorld> {
  const oauthEmulator = new GoogleOAuthEmulator({
    ...TEST_CLIENT,
    user: { email: opts.email ?? 'me@example.com', sub: '1000001' },
  });
  const ledger = new QuotaLedger({ clock: opts.clock, limit: GMAIL_QUOTA_2026.limit, windowMs: GMAIL_QUOTA_2026.windowMs });
  const emulator = await startGoogleEmulator({
    clock: opts.clock,
    authenticate: (token) => oauthEmulator.validateAccessToken(token)?.email ?? null,
    handlers: [
      (req, res, url) => oauthEmulator.handle(req, res, url),
      gmailHandler(opts.mailbox, { ledger, costs: GMAIL_QUOTA_2026.costs }),
      calendarHandler(opts.calendar, { quotaPerWindow: GCAL_QUOTA.limit }),
    ],
  });
  const oauth = new GoogleOAuth({
    ...TEST_CLIENT,
    authUrl: `${emulator.url}o/oauth2/v2/auth`,
    tokenUrl: `${emulator.url}token`,
  });
  return { emulator, oauthEmulator, oauth, ledger, close: () => emulator.close() };
}

/** Plays the user's browser: follows the consent URL to the loopback callback. */
export async function consentInBrowser(url: string): Promise<void> {
  const consent = await fetch(url, { redirect: 'manual' });
  const callback = consent.headers.get('location');
  if (!callback) throw new Error(`the consent page did not redirect (status ${consent.status})`);
  await fetch(callback);
}
