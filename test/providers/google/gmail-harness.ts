/**
 * Wires a GmailSource to the Gmail emulator through the real @googleapis/gmail client,
 * on a virtual clock: quota windows, backoff and pacing all run in virtual time.
 */
import { gmail } from '@googleapis/gmail';
import { OAuth2Client } from 'google-auth-library';
import { GmailSource } from '#lib/providers/google/gmail.ts';
import type { GmailSourceOptions } from '#lib/providers/google/gmail.ts';
import type { MailItem } from '#lib/items/types.ts';
import type { SourcePage } from '#lib/providers/types.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { createGooglePacer } from '#lib/providers/google/pacer.ts';
import type { GooglePacer, GooglePacerOptions } from '#lib/providers/google/pacer.ts';
import { GMAIL_QUOTA_2026 } from '#lib/providers/google/quota.ts';
import type { GmailMethod } from '#lib/providers/google/quota.ts';
import type { QuotaModel } from '#lib/providers/governor.ts';
import { gmailHandler } from '#test/support/google/gmail-emulator.ts';
import type { GmailMailbox, GmailQuota } from '#test/support/google/gmail-emulator.ts';
import { QuotaLedger } from '#test/support/google/quota.ts';
import { startGoogleEmulator } from '#test/support/google/server.ts';
import type { GoogleEmulator } from '#test/support/google/server.ts';

/** 23 November 2026, 07:00 UTC: the virtual "now" of these tests. */
export const AS_OF = Date.UTC(2026, 10, 23, 7);

export interface Harness {
  clock: VirtualClock;
  emulator: GoogleEmulator;
  ledger: QuotaLedger;
  pacer: GooglePacer;
  source: GmailSource;
  /** Delays the pacer chose before each retry. */
  retries: Array<{ status: number | undefined; reason: string | undefined; delayMs: number }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  quota?: QuotaModel<GmailMethod>;
  refuseWith?: GmailQuota['refuseWith'];
  source?: Partial<GmailSourceOptions>;
  pacer?: Partial<GooglePacerOptions>;
  maxConcurrentPerUser?: number;
}

/** Starts an emulator serving `mailbox` and a source reading it. */
export async function startHarness(mailbox: GmailMailbox, opts: HarnessOptions = {}): Promise<Harness> {
  const quota = opts.quota ?? GMAIL_QUOTA_2026;
  const clock = new VirtualClock(AS_OF);
  const ledger = new QuotaLedger({ clock, limit: quota.limit, windowMs: quota.windowMs });
  const emulator = await startGoogleEmulator({
    clock,
    handlers: [gmailHandler(mailbox, { ledger, costs: quota.costs, refuseWith: opts.refuseWith })],
    maxConcurrentPerUser: opts.maxConcurrentPerUser,
  });
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'test-token', expiry_date: 4_102_444_800_000 });
  const client = gmail({ version: 'v1', auth, rootUrl: emulator.url });
  const retries: Harness['retries'] = [];
  let seed = 1;
  const pacer = createGooglePacer({
    clock,
    quota,
    // A fixed jitter sequence keeps runs reproducible.
    random: () => ((seed = (seed * 16807) % 2147483647) / 2147483647),
    onRetry: (f, _n, delayMs) => retries.push({ status: f.status, reason: f.reason, delayMs }),
    ...opts.pacer,
  });
  const source = new GmailSource({ gmail: client, accountId: 'acct-1', pacer, clock, quota, ...opts.source });
  return { clock, emulator, ledger, pacer, source, retries, close: () => emulator.close() };
}

/** Runs a sync pass to its end, returning its pages. */
export async function drain(source: GmailSource, cursor?: string, maxPages = 1_000): Promise<SourcePage[]> {
  const pages: SourcePage[] = [];
  for await (const page of source.pages(cursor)) {
    pages.push(page);
    if (pages.length >= maxPages) break;
  }
  return pages;
}

/** Mail items of all pages. */
export function itemsOf(pages: SourcePage[]): MailItem[] {
  return pages.flatMap((p) => p.items.filter((i): i is MailItem => i.kind === 'mail'));
}
