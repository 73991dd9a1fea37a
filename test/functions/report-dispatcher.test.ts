import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '#functions/report-dispatcher.ts';
import { lambdaEnv } from '#functions/shared/env.ts';
import { setRuntimeForTests } from '#functions/shared/runtime.ts';
import { parseJob, reportJobSchema, type ReportJob } from '#lib/queue/jobs.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { lambdaContext } from './report-events.ts';

const sqs = mockClient(SQSClient);
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/sinew-reports';
let db: TestDynamo;

beforeAll(async () => {
  db = await startTestDynamo();
  const store = db.store();
  const zones: Array<[string, string]> = [['paris', 'Europe/Paris'], ['newyork', 'America/New_York'], ['tokyo', 'Asia/Tokyo']];
  for (const [userId, timeZone] of zones) {
    await store.putUser({ userId, timeZone, email: `${userId}@example.com`, me: [], internalDomains: [], reportsPaused: false, createdAt: '2026-01-01T00:00:00.000Z' });
  }
  setRuntimeForTests({
    env: lambdaEnv({ SINEW_TABLE_NAME: db.tableName, SINEW_REPORT_QUEUE_URL: QUEUE, SINEW_REPORT_HOUR: '7' }),
    store,
    vault: { seal: () => Promise.reject(new Error('unused')), open: () => Promise.reject(new Error('unused')) },
    sqs: new SQSClient({ region: 'eu-west-1' }),
    oauthClient: () => Promise.reject(new Error('unused')),
    linkSecret: () => Promise.reject(new Error('unused')),
  });
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});
afterAll(async () => {
  setRuntimeForTests(undefined);
  await db.close();
});

async function enqueuedAt(scheduledTime: string): Promise<ReportJob[]> {
  sqs.resetHistory();
  await handler({ scheduledTime }, lambdaContext('tick'));
  return sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((c) => {
      expect(c.args[0].input.QueueUrl).toBe(QUEUE);
      return c.args[0].input.Entries ?? [];
    })
    .map((e) => parseJob(reportJobSchema, e.MessageBody!, 'test'));
}

describe('report dispatcher handler', () => {
  it('enqueues exactly the users whose zone is at Monday 07:xx, with the local week', async () => {
    expect(await enqueuedAt('2026-11-23T06:00:00Z')).toEqual([{ v: 1, userId: 'paris', week: '2026-W48', asOf: '2026-11-23T06:00:00.000Z' }]);
    expect(await enqueuedAt('2026-11-23T12:00:00Z')).toEqual([{ v: 1, userId: 'newyork', week: '2026-W48', asOf: '2026-11-23T12:00:00.000Z' }]);
    expect(await enqueuedAt('2026-11-22T22:00:00Z')).toEqual([{ v: 1, userId: 'tokyo', week: '2026-W48', asOf: '2026-11-22T22:00:00.000Z' }]);
    expect(await enqueuedAt('2026-11-24T06:00:00Z')).toEqual([]);
  });

  it('refuses a tick that is not a time', async () => {
    await expect(handler({ scheduledTime: 'Monday' }, lambdaContext('bad'))).rejects.toThrow(/report tick: scheduledTime/);
  });
});
