import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

// Before the handler's logger is built: Powertools re-reads its level at each invocation.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.AWS_REGION = 'eu-west-1';
});
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { syncJobDedupId, type SyncJob } from '#lib/queue/jobs.ts';
import { makeSyncWorkerHandler, SAFETY_MARGIN_MS } from '#functions/sync-worker.ts';
import { metrics } from '#functions/shared/observability.ts';
import { setRuntimeForTests } from '#functions/shared/runtime.ts';
import { googleSync } from '#test/support/google/sync-provider.ts';
import { microsoftSync } from '#test/support/microsoft/sync-provider.ts';
import type { ProviderRun } from '#test/support/sync-provider.ts';
import { steppingClock } from '#test/support/sync-world.ts';
import { capturingSqs, fifoRecord, lambdaContext, sqsEvent, testRuntime } from './sync-events.ts';

/**
 * The sync worker's Lambda handler for every provider, in process: SQS FIFO records in,
 * the provider's emulators and dynalite behind, the clients built from the runtime's OAuth
 * secret and the endpoints the stack gives, the reconnect notice through SES (mocked).
 * Budgets, continuations and duplicate deliveries are in sync-worker.test.ts; the
 * production wiring in a fresh process in sync-worker-microsoft.test.ts.
 */
describe.each([googleSync, microsoftSync].map((p) => [p.name, p] as const))('sync-worker handler on %s', (_, provider) => {
  let run: ProviderRun;
  let sqs: ReturnType<typeof capturingSqs>;
  let worker: ReturnType<typeof makeSyncWorkerHandler>;
  /** The report once the mailbox is synced. */
  let synced: string;

  beforeAll(async () => {
    run = await provider.connectedRun({ messages: 120, seed: 3 });
    sqs = capturingSqs();
    setRuntimeForTests(testRuntime(run.store, run.vault, sqs.sqs, run.oauthClient));
    worker = makeSyncWorkerHandler({ clock: steppingClock(run.clock, 10), endpoints: run.endpoints });
  });
  afterAll(async () => {
    setRuntimeForTests(undefined);
    await run.close();
  });
  beforeEach(() => {
    // Flushing would print EMF to stdout; the buffer is dropped instead.
    vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
      metrics.clearMetrics();
      return metrics;
    });
  });
  afterEach(() => vi.restoreAllMocks());

  /** Delivers records with `budgetMs` of usable time (the context's remaining time less the margin). */
  async function deliver(records: SQSRecord[], budgetMs = 600_000): Promise<SQSBatchResponse> {
    const deadline = run.clock.now() + budgetMs + SAFETY_MARGIN_MS;
    return (await worker(sqsEvent(...records), lambdaContext(() => deadline - run.clock.now()))) as SQSBatchResponse;
  }
  const recordFor = (reason: SyncJob['reason'], slot: string): SQSRecord => {
    const job: SyncJob = { v: 1, userId: run.account.userId, accountId: run.account.accountId, reason, slot };
    return fifoRecord({ body: JSON.stringify(job), groupId: job.accountId, dedupId: syncJobDedupId(job) });
  };

  it('syncs a connected mailbox within one invocation', async () => {
    expect(await deliver([recordFor('connected', '2026-11-23T07:00:00.000Z')])).toEqual({ batchItemFailures: [] });
    expect(sqs.sent).toEqual([]); // no continuation
    expect((await run.reload()).status).toBe('active');
    expect((await run.itemIds()).length).toBeGreaterThan(50);
    synced = await run.report();
  });

  it('a revoked grant turns the account needs-reconnect and emails its owner once across two deliveries', async () => {
    const ses = mockClient(SESv2Client);
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-reconnect-1' });
    run.revoke();
    const record = recordFor('scheduled', '2026-11-23T08:00:00.000Z');
    expect(await deliver([record])).toEqual({ batchItemFailures: [] });
    expect(await deliver([{ ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } }])).toEqual({ batchItemFailures: [] });
    const sends = ses.commandCalls(SendEmailCommand);
    expect(sends).toHaveLength(1);
    expect(sends[0]!.args[0].input.Destination?.ToAddresses).toEqual(['me@example.com']);
    expect(Buffer.from(sends[0]!.args[0].input.Content!.Raw!.Data!).toString('utf8')).toMatch(/Subject: Reconnect me@example\.com/);
    ses.restore();
    expect((await run.reload()).status).toBe('needs-reconnect');
    expect(await run.report()).toBe(synced);
  });
});
