import { gmail } from '@googleapis/gmail';
import { calendar } from '@googleapis/calendar';
import type { OAuth2Client } from 'google-auth-library';
import type { ChangeSource } from '#lib/providers/types.ts';
import type { Clock } from '#lib/time/clock.ts';
import { createGooglePacer } from './pacer.ts';
import { GCAL_QUOTA, GMAIL_QUOTA_2026, GMAIL_QUOTA_LEGACY, type GmailMethod } from './quota.ts';
import type { QuotaModel } from '#lib/providers/governor.ts';
import type { Item } from '#lib/items/types.ts';
import { GmailSource } from './gmail.ts';
import { GoogleCalendarSource } from './calendar.ts';

/**
 * Messages per Gmail list page for the service and the CLI (GmailSource's own default is
 * Gmail's maximum, 500). The engine checks its time budget between pages, so one page
 * must fit in the sync worker's safety margin (30 s): at 95% of the 2026 per-user quota
 * a page of 500 takes about 61 s, and in the fleet simulation (bench/fleet) most backfill
 * invocations ran into their 5-minute timeout, five in a row sent a job to the
 * dead-letter queue, and 1,000 mailboxes took 96 hours instead of 20. A page of 100 takes
 * about 12 s and costs 0.04 more units per message in list calls. history.list pages take
 * the same size: a page of 500 changes is up to 500 messages.get (about 105 s), and at
 * 100,000 mailboxes, where a mailbox waits days between runs, 1,149 of the 1-in-100
 * sample's invocations were killed at their timeout (none with 100).
 */
export const GMAIL_PAGE_SIZE = 100;

export interface GoogleSourcesOptions {
  /** A self-refreshing client for the account (GoogleOAuth.clientFor). */
  auth: OAuth2Client;
  accountId: string;
  /** Gmail and Calendar root URL (`SINEW_GOOGLE_API_ROOT`), ending with `/`. */
  rootUrl: string;
  clock: Clock;
  /** Which Gmail quota model the project is on (DESIGN section 8). @default '2026' */
  quotaModel?: '2026' | 'legacy' | QuotaModel<GmailMethod>;
  /** False when the user did not grant the calendar scope. @default true */
  calendar?: boolean;
  /** The account's stored items among some message ids (the store's getItems): a resync then fetches only what it lacks. */
  held?: (providerIds: string[]) => Promise<Item[]>;
}

/**
 * The change sources of one Google account: Gmail (resource `gmail`) and the primary
 * calendar (`gcal:primary`), each behind its own quota governor. The clients' own retries
 * are off: our pacer retries, so every attempt is paced and counted.
 */
export function googleSources(opts: GoogleSourcesOptions): ChangeSource[] {
  const quota =
    opts.quotaModel === 'legacy' ? GMAIL_QUOTA_LEGACY : opts.quotaModel === '2026' || !opts.quotaModel ? GMAIL_QUOTA_2026 : opts.quotaModel;
  const common = { auth: opts.auth, rootUrl: opts.rootUrl, retry: false } as const;
  const sources: ChangeSource[] = [
    new GmailSource({
      gmail: gmail({ version: 'v1', ...common }),
      accountId: opts.accountId,
      pacer: createGooglePacer({ clock: opts.clock, quota }),
      clock: opts.clock,
      quota,
      pageSize: GMAIL_PAGE_SIZE,
      historyPageSize: GMAIL_PAGE_SIZE,
      ...(opts.held ? { held: opts.held } : {}),
    }),
  ];
  if (opts.calendar !== false) {
    sources.push(
      new GoogleCalendarSource({
        calendar: calendar({ version: 'v3', ...common }),
        accountId: opts.accountId,
        pacer: createGooglePacer({ clock: opts.clock, quota: GCAL_QUOTA }),
        asOf: new Date(opts.clock.now()),
      }),
    );
  }
  return sources;
}
