import { createHash } from 'node:crypto';
import * as z from 'zod';
import { InputError } from '#lib/errors.ts';

/**
 * The messages the AWS fleet passes between its functions (DESIGN section 1): a sync job
 * per mailbox on the FIFO sync queue, a report job per person on the report queue, a
 * brief job per person and local day on the brief queue (DESIGN section 9). All
 * are versioned and validated on receipt, so a malformed or foreign message is refused
 * with its fault named rather than half-processed.
 */

const isoTime = z.iso.datetime({ message: 'expected an ISO 8601 UTC time' });

export const syncJobSchema = z.strictObject({
  v: z.literal(1),
  userId: z.string().min(1),
  accountId: z.string().min(1),
  /** Why the job exists: a schedule tick, a fresh connection, or a worker's continuation. */
  reason: z.enum(['scheduled', 'connected', 'continuation']),
  /**
   * What makes two sends of the same job one: the schedule tick's time for `scheduled`,
   * the connection time for `connected`, the checkpointed cursor's hash for
   * `continuation`. SQS FIFO drops a second message with the same deduplication id
   * within 5 minutes, and the worker's cursors make any later duplicate a no-op.
   */
  slot: z.string().min(1).max(100),
});
export type SyncJob = z.infer<typeof syncJobSchema>;

export const reportJobSchema = z.strictObject({
  v: z.literal(1),
  userId: z.string().min(1),
  /** ISO week `YYYY-Www` the report is for; one email per user per week. */
  week: z.string().regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, 'expected an ISO week such as 2026-W48'),
  /** The report's `asOf`: the dispatcher's tick, so a retried job builds the same report. */
  asOf: isoTime,
});
export type ReportJob = z.infer<typeof reportJobSchema>;

export const briefJobSchema = z.strictObject({
  v: z.literal(1),
  userId: z.string().min(1),
  /** The person's local day `YYYY-MM-DD` the brief is for; one email per person per day. */
  date: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'expected a local date such as 2026-11-24'),
  /** The brief's `asOf`: the brief hour local on `date`, so a retried job builds the same brief. */
  asOf: isoTime,
});
export type BriefJob = z.infer<typeof briefJobSchema>;

/**
 * What makes two brief jobs one: the person and their local date. It names the send
 * claim in the person's partition (`brief#2026-11-24`), which lets one delivery of any
 * number through; the brief queue is a standard queue like the report's (no FIFO
 * deduplication window would cover a DST hour repeated an hour later anyway).
 */
export function briefSendKey(job: Pick<BriefJob, 'date'>): string {
  return `brief#${job.date}`;
}

/** Parses a queue message body, naming what was wrong. */
export function parseJob<T>(schema: z.ZodType<T>, body: string, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new InputError(`${what}: message body is not JSON`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`${what}: ${issue.path.join('.') || 'message'}: ${issue.message}`);
  }
  return parsed.data;
}

/** FIFO deduplication id of a sync job: at most 128 characters, so a hash. */
export function syncJobDedupId(job: SyncJob): string {
  return createHash('sha256').update(`${job.accountId}\n${job.reason}\n${job.slot}`).digest('hex');
}

/** Where jobs go: SQS in AWS (lib/queue/sqs.ts), an array in tests (test/support/memory-queue.ts). */
export interface JobQueue<J> {
  send(jobs: readonly J[]): Promise<void>;
}
