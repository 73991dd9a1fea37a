import { SESv2Client, SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SQSBatchResponse } from 'aws-lambda';
import { makeReportWorkerHandler } from '#functions/report-worker.ts';
import { lambdaEnv } from '#functions/shared/env.ts';
import { setRuntimeForTests, type Runtime } from '#functions/shared/runtime.ts';
import { metrics } from '#functions/shared/observability.ts';
import { SEND_RETRY_MARGIN_MS } from '#lib/mail/pace.ts';
import type { ReportJob } from '#lib/queue/jobs.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import type { User } from '#lib/store/types.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { LINK_SECRET, seedUser } from '#test/support/report-job-fixtures.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { lambdaContext, sqsEvent, sqsRecord } from './report-events.ts';

/**
 * The report worker within SES's sending rate (lib/mail/pace.ts): sends spaced by
 * SINEW_SES_SEND_RATE, a send throttled for the rate tried again inside the invocation
 * (so the record keeps its receives), a used-up daily quota failed at once, and a record
 * that would start too late handed back unbuilt. Time is a virtual clock: nothing sleeps.
 */

const ses = mockClient(SESv2Client);
let db: TestDynamo;
let store: DynamoStore;
let users: User[];
const asOf = new Date('2026-11-23T06:00:00.000Z');
const week = '2026-W48';
const throttled = () => new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: { httpStatusCode: 429 } });
const dailyQuota = () => Object.assign(new Error('Daily message quota exceeded.'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

let clock: VirtualClock;
let handler: ReturnType<typeof makeReportWorkerHandler>;
let requests = 0;
/** Every SendEmail call with the virtual time it came at. */
let calls: Array<{ to: string; at: number }>;

const job = (user: User, w = week): ReportJob => ({ v: 1, userId: user.userId, week: w, asOf: asOf.toISOString() });

function runtime(extraEnv: Record<string, string> = {}): Runtime {
  return {
    env: lambdaEnv({
      SINEW_TABLE_NAME: db.tableName,
      SINEW_SENDER: 'reports@sinew.example.com',
      SINEW_BASE_URL: 'https://sinew.example.com',
      ...extraEnv,
    }),
    store,
    vault: { seal: () => Promise.reject(new Error('unused')), open: () => Promise.reject(new Error('unused')) },
    sqs: new SQSClient({ region: 'eu-west-1' }),
    oauthClient: () => Promise.reject(new Error('unused')),
    linkSecret: async () => LINK_SECRET,
  };
}

async function invoke(records: ReturnType<typeof sqsRecord>[], remainingMs = 100_000): Promise<string[]> {
  try {
    const result = (await handler(sqsEvent(...records), lambdaContext(`req-${(requests += 1)}`, remainingMs))) as SQSBatchResponse;
    return result.batchItemFailures.map((f) => f.itemIdentifier);
  } catch (error) {
    if ((error as Error).name !== 'FullBatchFailureError') throw error;
    return records.map((r) => r.messageId);
  }
}

/** SES answers each call with the next of `answers` (an error to throw, or undefined to accept); accepts once they run out. */
function sesAnswers(answers: Array<(() => Error) | undefined>): void {
  ses.reset();
  let n = 0;
  ses.on(SendEmailCommand).callsFake(async (input: { Destination?: { ToAddresses?: string[] } }) => {
    calls.push({ to: input.Destination?.ToAddresses?.[0] ?? '', at: clock.now() });
    const answer = answers.shift();
    if (answer) throw answer();
    return { MessageId: `ses-${(n += 1)}` };
  });
}

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
  users = [];
  for (let i = 0; i < 12; i++) users.push((await seedUser(store, { email: `u${i}@example.com`, timeZone: 'Europe/Paris', asOf })).user);
});
beforeEach(() => {
  clock = new VirtualClock(Date.UTC(2026, 10, 30, 6));
  handler = makeReportWorkerHandler({ clock, random: () => 0 });
  calls = [];
  setRuntimeForTests(runtime());
});
afterAll(async () => {
  setRuntimeForTests(undefined);
  await db.close();
});

describe('report worker within the SES sending rate', () => {
  it('spaces its sends by SINEW_SES_SEND_RATE: at 14 a second (42 workers), one every 3 s, across invocations', async () => {
    setRuntimeForTests(runtime({ SINEW_SES_SEND_RATE: '14' }));
    sesAnswers([]);
    const [a, b, c, d] = users;
    expect(await invoke([sqsRecord('m-a', job(a!)), sqsRecord('m-b', job(b!)), sqsRecord('m-c', job(c!))])).toEqual([]);
    expect(await invoke([sqsRecord('m-d', job(d!))])).toEqual([]);
    const t = calls.map((x) => x.at);
    expect(calls.map((x) => x.to)).toEqual([a!.email, b!.email, c!.email, d!.email]);
    for (let i = 1; i < t.length; i++) expect(t[i]! - t[i - 1]!).toBeGreaterThanOrEqual(3000);
  });

  it('tries a throttled send again inside the invocation: no record fails, so none spends a receive', async () => {
    const metric = vi.spyOn(metrics, 'addMetric');
    sesAnswers([throttled, throttled]);
    const [e, f] = users.slice(4);
    expect(await invoke([sqsRecord('m-e', job(e!)), sqsRecord('m-f', job(f!))])).toEqual([]);
    expect(calls.map((x) => x.to)).toEqual([e!.email, e!.email, e!.email, f!.email]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(500);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(1000);
    expect(metric.mock.calls.filter(([name]) => name === 'ReportThrottled')).toHaveLength(2);
    expect(metric.mock.calls.filter(([name]) => name === 'ReportSent')).toHaveLength(2);
    vi.restoreAllMocks();
  });

  it('hands the record back when SES throttles until the margin, and its next receive sends at once (the claim was given back)', async () => {
    sesAnswers(Array.from({ length: 50 }, () => throttled));
    const g = users[6]!;
    const start = clock.now();
    expect(await invoke([sqsRecord('m-g', job(g))], 100_000)).toEqual(['m-g']);
    // Tried again until SEND_RETRY_MARGIN_MS before the end, never past it.
    expect(clock.now() - start).toBeLessThanOrEqual(100_000 - SEND_RETRY_MARGIN_MS);
    const tries = calls.length;
    expect(tries).toBeGreaterThan(3);
    sesAnswers([]);
    expect(await invoke([sqsRecord('m-g', job(g), 2)])).toEqual([]);
    expect(calls.map((x) => x.to)).toHaveLength(tries + 1);
    expect(await store.getReport(g.userId, week)).toBeDefined();
  });

  it('fails a send refused for the daily quota at once, without waiting', async () => {
    sesAnswers([dailyQuota]);
    const h = users[7]!;
    expect(await invoke([sqsRecord('m-h', job(h))])).toEqual(['m-h']);
    expect(calls).toHaveLength(1);
    expect(clock.slept).toEqual([]);
  });

  it('hands back unbuilt a record that would start with less than the margin left', async () => {
    sesAnswers([]);
    const i = users[8]!;
    expect(await invoke([sqsRecord('m-i', job(i))], SEND_RETRY_MARGIN_MS - 1)).toEqual(['m-i']);
    expect(calls).toEqual([]);
    expect(await store.getReport(i.userId, week)).toBeUndefined();
  });
});
