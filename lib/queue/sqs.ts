import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { StoreError } from '#lib/errors.ts';
import { mapWithLimit } from '#lib/map-with-limit.ts';
import { syncJobDedupId, type BriefJob, type JobQueue, type ReportJob, type SyncJob } from './jobs.ts';

/** SQS takes at most 10 messages per SendMessageBatch. */
const BATCH = 10;

/**
 * SendMessageBatch calls in flight at once. One after the other, a call of about 20 ms
 * sends 500 messages a second: the sync dispatcher's 2-minute timeout stopped it near
 * 60,000 accounts (`npm run bench:fleet`). Ten at once is far below SQS's limits.
 */
export const SEND_CONCURRENCY = 10;

interface Entry {
  Id: string;
  MessageBody: string;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

/**
 * Sends `entries` in batches of {@link BATCH}, {@link SEND_CONCURRENCY} batches at once.
 * The first failure (a refused call, or a batch SQS took only in part) stops any batch not
 * yet started, and is thrown once the calls in flight have settled.
 */
async function sendAll(sqs: SQSClient, queueUrl: string, entries: Entry[], what: string): Promise<void> {
  const chunks: Entry[][] = [];
  for (let i = 0; i < entries.length; i += BATCH) chunks.push(entries.slice(i, i + BATCH));
  let failure: { error: unknown } | undefined;
  await mapWithLimit(chunks, SEND_CONCURRENCY, async (chunk) => {
    if (failure) return;
    try {
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk }));
      // A partial failure must not pass silently: the dispatcher's run fails and is retried,
      // and FIFO deduplication (or the worker's idempotency) absorbs what was already sent.
      if (out.Failed && out.Failed.length > 0) {
        const f = out.Failed[0]!;
        throw new StoreError(`${what}: SQS refused ${out.Failed.length} of ${chunk.length} messages (${f.Code ?? 'unknown'}: ${f.Message ?? ''})`);
      }
    } catch (error) {
      failure ??= { error };
    }
  });
  if (failure) throw failure.error;
}

/**
 * The FIFO sync queue: `MessageGroupId = accountId`, so one mailbox is never synced twice
 * at once while many sync in parallel (DESIGN section 1).
 */
export class SqsSyncQueue implements JobQueue<SyncJob> {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(jobs: readonly SyncJob[]): Promise<void> {
    const entries = jobs.map((job, i) => ({
      Id: String(i % BATCH),
      MessageBody: JSON.stringify(job),
      MessageGroupId: job.accountId,
      MessageDeduplicationId: syncJobDedupId(job),
    }));
    await sendAll(this.sqs, this.queueUrl, entries, 'sync queue');
  }
}

/**
 * A standard queue of jobs whose worker makes duplicates harmless with a send claim
 * (the report's and the brief's): no group, no deduplication id.
 */
class SqsStandardQueue<J> implements JobQueue<J> {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly what: string,
  ) {}

  async send(jobs: readonly J[]): Promise<void> {
    const entries = jobs.map((job, i) => ({ Id: String(i % BATCH), MessageBody: JSON.stringify(job) }));
    await sendAll(this.sqs, this.queueUrl, entries, this.what);
  }
}

/** The report queue (standard): one job per person per week. */
export class SqsReportQueue extends SqsStandardQueue<ReportJob> {
  constructor(sqs: SQSClient, queueUrl: string) {
    super(sqs, queueUrl, 'report queue');
  }
}

/** The brief queue (standard): one job per person per local day with a briefed meeting. */
export class SqsBriefQueue extends SqsStandardQueue<BriefJob> {
  constructor(sqs: SQSClient, queueUrl: string) {
    super(sqs, queueUrl, 'brief queue');
  }
}
