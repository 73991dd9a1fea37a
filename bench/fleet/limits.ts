import { readFileSync } from 'node:fs';
import { GMAIL_QUOTA_2026 } from '#lib/providers/google/quota.ts';
import { GRAPH_MAILBOX_LIMITS } from '#lib/providers/microsoft/pacer.ts';
import { GMAIL_PAGE_SIZE } from '#lib/providers/google/sources.ts';

/**
 * Every figure the fleet models assume, in one place, with where it comes from. Provider
 * and AWS limits are the documented ones (checked November 2026, DESIGN section 8);
 * latencies and sizes are assumptions, marked as such, chosen from the repository's own
 * measurements where there is one (README "Benchmarks").
 */

const MIN = 60_000;

/** Google. */
export const GMAIL = {
  /** Units per minute per user, projects from May 2026 (DESIGN 8; lib/sync/governor.ts). */
  userUnitsPerMin: GMAIL_QUOTA_2026.limit,
  /** Units per minute per project (DESIGN 8). Raisable on request in the Cloud console. */
  projectUnitsPerMin: 1_200_000,
  /** The governor's steady share of the per-user ceiling (QuotaGovernor default). */
  utilization: 0.95,
  /**
   * Units per stored message in a metadata backfill with `threads.get` where cheaper:
   * 11.64, measured by `npm run bench` against the emulator on Enron-shaped threads
   * (README, "gmail backfill, 20,000 messages, 2026 quota").
   */
  unitsPerMessage: 11.64,
  /** Requests per stored message in that backfill (same measurement: 0.354). */
  requestsPerMessage: 0.354,
  /** `messages.list` page (GmailSource default and Gmail's maximum). */
  listPage: GMAIL_PAGE_SIZE,
  /** history.list records per page (googleSources asks for GMAIL_PAGE_SIZE). */
  historyPage: GMAIL_PAGE_SIZE,
  /** history.list, and messages.get for each changed message (lib/sync/governor.ts costs). */
  historyListUnits: GMAIL_QUOTA_2026.costs['history.list'],
  messageGetUnits: GMAIL_QUOTA_2026.costs['messages.get'],
  /** Assumed round trip of one Gmail call from Lambda. */
  callMs: 120,
  /** Google Calendar: 600 requests per minute per user (DESIGN 8), pages of 250 events (assumed). */
  calendarPage: 250,
  calendarCallMs: 250,
  /** Assumed: the OAuth token refresh each job makes (a client per job, no cached access token). */
  tokenRefreshMs: 150,
} as const;

/** Microsoft. */
export const GRAPH = {
  /** Per app and mailbox (Outlook service limits; lib/sync/graph-pacer.ts). */
  mailboxRequestsPer10Min: GRAPH_MAILBOX_LIMITS.limit,
  mailboxConcurrency: GRAPH_MAILBOX_LIMITS.concurrency,
  /**
   * Per app, all tenants: 130,000 requests per 10 seconds (Microsoft Graph "throttling
   * limits", global limits). Microsoft publishes no per-tenant ceiling for Outlook
   * resources, so the model takes this global figure as the app's ceiling in the tenant
   * (a one-firm deployment is one tenant); it is the assumption to revisit first if
   * Graph answers 429s that the per-mailbox limits do not explain.
   */
  appRequestsPer10s: 130_000,
  /** GraphMailSource default page (`Prefer: odata.maxpagesize=1000`). */
  deltaPage: 1000,
  /**
   * Assumed time of one delta page: a fixed 400 ms plus 1.2 s per 1,000 messages
   * (about 2 KB of JSON each with internetMessageHeaders).
   */
  deltaFixedMs: 400,
  deltaPerThousandMs: 1200,
  /** Share of the mailbox's messages per folder read (assumed): inbox, sent, archive, deleted. */
  folderShares: [0.55, 0.25, 0.1, 0.1],
  /** Calendar view delta page (assumed) and its time. */
  calendarPage: 100,
  calendarCallMs: 400,
  /** Assumed: MSAL usually answers from its sealed cache (access tokens live about an hour). */
  tokenMs: 50,
  /** Folder listing and `/me` at the start of a pass. */
  listFoldersMs: 300,
  callMs: 250,
} as const;

/** AWS Lambda. */
export const LAMBDA = {
  /** The hard ceiling of one invocation. The sync worker's own timeout is in infra (5 min). */
  maxTimeoutMs: 15 * MIN,
  /** Default account concurrency (a quota raisable on request); 100 must stay unreserved. */
  accountConcurrency: 1000,
  /**
   * SQS standard queue event source scaling (Lambda developer guide, "scaling behavior"
   * for SQS): up to 300 more concurrent invocations per minute, at most 1,250, starting at 5.
   */
  sqsStartConcurrency: 5,
  sqsScaleUpPerMin: 300,
  sqsMaxConcurrency: 1250,
  /** Cold initialization measured by `npm run bench` (README, median cold import). */
  syncWorkerInitMs: 360,
  reportWorkerInitMs: 631,
  dispatcherInitMs: 180,
  /** Assumed: an idle execution environment is kept this long for reuse. */
  keepWarmMs: 10 * MIN,
  /** Assumed: from a message becoming visible to the handler starting, when a slot is free. */
  pollMs: 100,
  /** Billing (us-east-1, arm64): per GB-second and per request. */
  pricePerGbS: 0.0000133334,
  pricePerRequest: 0.2 / 1e6,
} as const;

/** Amazon SQS. */
export const SQS = {
  /** FIFO deduplication window. */
  dedupWindowMs: 5 * MIN,
  /** Default message retention (the stack sets none on its job queues). */
  retentionMs: 4 * 24 * 60 * MIN,
  /** Assumed time of one SendMessageBatch (10 messages) from Lambda. */
  sendBatchMs: 20,
  /** us-east-1: FIFO and standard requests. */
  priceFifoPerRequest: 0.5 / 1e6,
  priceStandardPerRequest: 0.4 / 1e6,
} as const;

/** Amazon DynamoDB, on-demand. */
export const DYNAMODB = {
  /**
   * On-demand throughput: a new table serves up to 4,000 writes per second and at once
   * up to double its previous peak; more than double the previous peak within 30 minutes
   * may throttle (DynamoDB developer guide, "on-demand capacity mode"). The table-level
   * quota is 40,000 write request units per second by default (raisable).
   */
  initialWru: 4000,
  maxWru: 40_000,
  peakWindowMs: 30 * MIN,
  /** Assumed write request units per stored item (most items are under 1 KB; a long recipient list is more). */
  wruPerItem: 1.2,
  /** Account record update (cursors, status): Graph cursors hold several delta links. */
  wruPerAccountUpdateGoogle: 1,
  wruPerAccountUpdateMicrosoft: 3,
  /** Assumed latencies: GetItem/UpdateItem, and putItems per 100 items (BatchGet then BatchWrite). */
  opMs: 8,
  putPer100Ms: 25,
  /** us-east-1 on-demand prices (since November 2024) and storage. */
  pricePerWru: 0.625 / 1e6,
  pricePerRru: 0.125 / 1e6,
  pricePerGbMonth: 0.25,
  /** Assumed stored size of one item, index included. */
  bytesPerItem: 700,
} as const;

/** Amazon SES. */
export const SES = {
  /** Sending rates the issue asks about: 14/s (a common first production quota) and 100/s. */
  rates: [14, 100] as const,
  /** A first production account also gets 50,000 messages per 24 hours (raisable). */
  defaultDailyQuota: 50_000,
  /** Assumed SendEmail round trip. */
  sendMs: 60,
  /**
   * The AWS SDK's standard retry mode: 3 attempts; throttling waits a random time up to
   * 500 ms × 2^attempt.
   */
  sdkAttempts: 3,
  sdkThrottleBaseMs: 500,
  pricePerEmail: 0.1 / 1000,
} as const;

/** AWS KMS: one Decrypt per sync job (the sealed token). */
export const KMS = {
  decryptMs: 15,
  pricePerRequest: 0.03 / 10_000,
} as const;

/** The weekly report worker (assumed from `npm run bench`). */
export const REPORT = {
  /** Reading a user's items: 12,614 items/s measured against dynalite (README). */
  queryItemsPerS: 12_614,
  /** Health: 660 ms per 1,000,000 interactions (README). */
  healthMsPerItem: 0.00066,
  /** Render, HTML and text (README: 16.2 ms). */
  renderMs: 16,
  /** Profile, claim and stored report: a few DynamoDB calls. */
  overheadMs: 40,
  /** Writes per report: the week's JSON (about 8 KB), the claim and its receipt. */
  wruPerReport: 8 + 1 + 1,
  memoryGb: 1,
  /** The stack's report worker: timeout 2 minutes, visibility 6 times that, 5 receives, batches of 5. */
  timeoutMs: 2 * MIN,
} as const;

/** The fixed monthly cost of a deployment, from the README's cost section. */
export const FIXED_MONTHLY_USD = 12;

/**
 * The sync worker's SAFETY_MARGIN_MS (functions/sync-worker.ts), read from its source:
 * importing the handler loads the X-Ray SDK, whose async hooks track every promise and
 * slow the whole simulation about threefold.
 */
export function syncWorkerSafetyMarginMs(): number {
  const source = readFileSync(new URL('../../functions/sync-worker.ts', import.meta.url), 'utf8');
  const m = /export const SAFETY_MARGIN_MS = ([\d_]+);/.exec(source);
  if (!m) throw new Error('functions/sync-worker.ts no longer exports SAFETY_MARGIN_MS as a number: update bench/fleet/limits.ts');
  return Number(m[1]!.replace(/_/g, ''));
}
