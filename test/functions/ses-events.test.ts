import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '#functions/ses-events.ts';
import { lambdaEnv } from '#functions/shared/env.ts';
import { setRuntimeForTests } from '#functions/shared/runtime.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { seedUser } from '#test/support/report-job-fixtures.ts';
import { lambdaContext } from './report-events.ts';

let db: TestDynamo;
let store: DynamoStore;
const asOf = new Date('2026-11-23T07:00:00Z');

/** An SES event as the configuration set's EventBridge destination delivers it. */
function eventBridge(detailType: string, detail: Record<string, unknown>) {
  return {
    version: '0',
    id: 'e1a2b3c4-0000-4000-8000-000000000001',
    'detail-type': detailType,
    source: 'aws.ses',
    account: '123456789012',
    time: '2026-11-23T07:01:00Z',
    region: 'eu-west-1',
    resources: ['arn:aws:ses:eu-west-1:123456789012:configuration-set/sinew-reports'],
    detail: {
      mail: { timestamp: '2026-11-23T07:00:01.000Z', source: 'reports@sinew.example.com', messageId: 'ses-1', destination: ['x@acme.com'] },
      ...detail,
    },
  };
}

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
  setRuntimeForTests({
    env: lambdaEnv({ SINEW_TABLE_NAME: db.tableName }),
    store,
    vault: { seal: () => Promise.reject(new Error('unused')), open: () => Promise.reject(new Error('unused')) },
    sqs: new SQSClient({ region: 'eu-west-1' }),
    oauthClient: () => Promise.reject(new Error('unused')),
    linkSecret: () => Promise.reject(new Error('unused')),
  });
});
afterAll(async () => {
  setRuntimeForTests(undefined);
  await db.close();
});

describe('ses-events handler', () => {
  it('pauses reports on a permanent bounce and on a complaint, not on a transient bounce', async () => {
    const hard = (await seedUser(store, { email: 'hard@acme.com', timeZone: 'UTC', asOf, contacts: [] })).user;
    const soft = (await seedUser(store, { email: 'soft@acme.com', timeZone: 'UTC', asOf, contacts: [] })).user;
    const spam = (await seedUser(store, { email: 'spam@acme.com', timeZone: 'UTC', asOf, contacts: [] })).user;
    const bounce = (bounceType: string, emailAddress: string) =>
      eventBridge('Email Bounced', {
        eventType: 'Bounce',
        bounce: { bounceType, bounceSubType: 'General', bouncedRecipients: [{ emailAddress, action: 'failed', status: '5.1.1' }], timestamp: '2026-11-23T07:00:30.000Z', feedbackId: 'f1' },
      });
    await handler(bounce('Permanent', 'hard@acme.com'), lambdaContext('b1'));
    await handler(bounce('Transient', 'soft@acme.com'), lambdaContext('b2'));
    await handler(
      eventBridge('Email Complaint Received', {
        eventType: 'Complaint',
        complaint: { complainedRecipients: [{ emailAddress: 'spam@acme.com' }], complaintFeedbackType: 'abuse', timestamp: '2026-11-23T08:00:00.000Z', feedbackId: 'f2' },
      }),
      lambdaContext('c1'),
    );
    await handler(bounce('Permanent', 'nobody@else.where'), lambdaContext('b3'));
    expect((await store.getUser(hard.userId))?.reportsPaused).toBe(true);
    expect((await store.getUser(soft.userId))?.reportsPaused).toBe(false);
    expect((await store.getUser(spam.userId))?.reportsPaused).toBe(true);
    expect(await store.listUsersForReport('UTC')).toEqual([soft.userId]);
  });

  it('refuses an event without a readable detail', async () => {
    await expect(handler({ 'detail-type': 'Email Bounced', detail: { bounce: 'x' } }, lambdaContext('bad'))).rejects.toThrow(/SES event/);
  });
});
