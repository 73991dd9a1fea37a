import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SQSBatchResponse } from 'aws-lambda';
import { handler } from '#functions/report-worker.ts';
import { lambdaEnv } from '#functions/shared/env.ts';
import { setRuntimeForTests } from '#functions/shared/runtime.ts';
import { metrics } from '#functions/shared/observability.ts';
import { verifyLink } from '#lib/links/token.ts';
import type { ReportJob } from '#lib/queue/jobs.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import type { User } from '#lib/store/types.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { headerLine } from '#test/mail/headers.ts';
import { LINK_SECRET, mailItem, seedUser } from '#test/support/report-job-fixtures.ts';
import { lambdaContext, sqsEvent, sqsRecord } from './report-events.ts';

const ses = mockClient(SESv2Client);
let db: TestDynamo;
let store: DynamoStore;
let ann: User;
let bob: User;
let paused: User;
const asOf = new Date('2026-11-23T06:00:00.000Z');
const week = '2026-W48';
let requests = 0;

const job = (user: User, w = week, at = asOf): ReportJob => ({ v: 1, userId: user.userId, week: w, asOf: at.toISOString() });
/**
 * Runs the handler and answers the ids of the records that failed. Powertools throws when
 * every record of a batch failed (Lambda then retries the whole batch, as SQS would the
 * reported items), so that case is answered as all ids.
 */
async function invoke(...records: ReturnType<typeof sqsRecord>[]): Promise<string[]> {
  try {
    const result = (await handler(sqsEvent(...records), lambdaContext(`req-${(requests += 1)}`))) as SQSBatchResponse;
    return result.batchItemFailures.map((f) => f.itemIdentifier);
  } catch (error) {
    if ((error as Error).name !== 'FullBatchFailureError') throw error;
    return records.map((r) => r.messageId);
  }
}
const sends = () => ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
const sendsTo = (address: string) => sends().filter((i) => i.Destination?.ToAddresses?.[0] === address);
const parsedRaw = (input: ReturnType<typeof sends>[number]): Promise<ParsedMail> => simpleParser(Buffer.from(input.Content!.Raw!.Data!));

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
  ann = (await seedUser(store, { email: 'ann@example.com', timeZone: 'Europe/Paris', asOf })).user;
  bob = (await seedUser(store, { email: 'bob@example.org', timeZone: 'Europe/Paris', asOf })).user;
  paused = (await seedUser(store, { email: 'pat@example.net', timeZone: 'Europe/Paris', asOf, reportsPaused: true })).user;
  setRuntimeForTests({
    env: lambdaEnv({
      SINEW_TABLE_NAME: db.tableName,
      SINEW_SENDER: 'reports@sinew.example.com',
      SINEW_BASE_URL: 'https://sinew.example.com',
      SINEW_SES_CONFIGURATION_SET: 'sinew-reports',
    }),
    store,
    vault: { seal: () => Promise.reject(new Error('unused')), open: () => Promise.reject(new Error('unused')) },
    sqs: new SQSClient({ region: 'eu-west-1' }),
    oauthClient: () => Promise.reject(new Error('unused')),
    linkSecret: async () => LINK_SECRET,
  });
  let n = 0;
  ses.on(SendEmailCommand).callsFake(async () => ({ MessageId: `ses-${(n += 1)}` }));
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  setRuntimeForTests(undefined);
  await db.close();
});

describe('report worker', () => {
  it('sends one report per user: raw MIME with both parts, one-click unsubscribe, the configuration set', async () => {
    const metric = vi.spyOn(metrics, 'addMetric');
    expect(await invoke(sqsRecord('m-ann', job(ann)), sqsRecord('m-bob', job(bob)), sqsRecord('m-pat', job(paused)))).toEqual([]);
    expect(sendsTo('ann@example.com')).toHaveLength(1);
    expect(sendsTo('bob@example.org')).toHaveLength(1);
    expect(sendsTo('pat@example.net')).toHaveLength(0);
    expect(metric.mock.calls.filter(([name]) => name === 'ReportSent')).toHaveLength(2);

    const input = sendsTo('ann@example.com')[0]!;
    expect(input.ConfigurationSetName).toBe('sinew-reports');
    expect(input.FromEmailAddress).toBe('reports@sinew.example.com');
    const mail = await parsedRaw(input);
    expect(mail.text).toMatch(/\S/);
    expect(mail.html).toMatch(/<html/i);
    expect(headerLine(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    const unsubscribe = /^<(https:\/\/sinew\.example\.com\/l\/([^>]+))>$/.exec(headerLine(mail, 'list-unsubscribe') ?? '');
    expect(unsubscribe).not.toBeNull();
    expect(verifyLink(LINK_SECRET, unsubscribe![2], asOf.getTime())).toMatchObject({ action: 'unsubscribe', userId: ann.userId });
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]!.address : undefined).toBe('ann@example.com');
    // Every link in the HTML is absolute.
    for (const [, href] of mail.html ? mail.html.matchAll(/href="([^"]+)"/g) : []) expect(href).toMatch(/^(https:|mailto:)/);
    expect(await store.getReport(ann.userId, week)).toBeDefined();
  });

  it('sends nothing more when the same job is delivered again, alone or twice in one batch', async () => {
    const before = sends().length;
    expect(await invoke(sqsRecord('m-ann', job(ann), 2))).toEqual([]);
    expect(await invoke(sqsRecord('m-bob', job(bob), 2), sqsRecord('m-bob', job(bob), 2))).toEqual([]);
    expect(sends().length).toBe(before);
  });

  it('sends once when two deliveries of a new job race', async () => {
    const carol = (await seedUser(store, { email: 'carol@example.com', timeZone: 'Europe/Paris', asOf })).user;
    const results = await Promise.all([invoke(sqsRecord('m-carol', job(carol))), invoke(sqsRecord('m-carol', job(carol)))]);
    expect(sendsTo('carol@example.com')).toHaveLength(1);
    // The loser either saw the receipt or was told to retry (busy) and then sends nothing.
    const failed = results.flat();
    expect(failed.length).toBeLessThanOrEqual(1);
    if (failed.length === 1) {
      expect(await invoke(sqsRecord('m-carol', job(carol), 2))).toEqual([]);
    }
    expect(sendsTo('carol@example.com')).toHaveLength(1);
  });

  it('carries "change since last week" in the second week, read from the stored first week', async () => {
    const firstText = (await parsedRaw(sendsTo('ann@example.com')[0]!)).text ?? '';
    expect(firstText).not.toMatch(/since last week/);
    const next = new Date(asOf.getTime() + 7 * 86_400_000);
    const accountId = (await store.listAccounts(ann.userId))[0]!.accountId;
    await store.putItems(ann.userId, [
      mailItem(accountId, 'new-1', '2026-11-25T09:00:00.000Z', 'ann@example.com', 'lee@gamma.dev', true),
      mailItem(accountId, 'new-2', '2026-11-26T09:00:00.000Z', 'lee@gamma.dev', 'ann@example.com', false),
    ]);
    expect(await invoke(sqsRecord('m-ann-49', job(ann, '2026-W49', next)))).toEqual([]);
    const second = sendsTo('ann@example.com');
    expect(second).toHaveLength(2);
    const text = (await parsedRaw(second[1]!)).text ?? '';
    expect(text).toMatch(/\(\+1 since last week\)/);
    expect(await store.getReport(ann.userId, '2026-W49')).toBeDefined();
  });

  it('logs a refused send at ERROR with what went wrong, never the recipient\'s address (SES names it in its message)', async () => {
    const eve = (await seedUser(store, { email: 'eve.adams@example.com', timeZone: 'Europe/Paris', asOf })).user;
    ses.reset();
    ses.on(SendEmailCommand).rejects(
      Object.assign(new Error('Email address is not verified. The following identities failed the check in region EU-WEST-1: eve.adams@example.com'), {
        name: 'MessageRejected',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    // What the function prints is what CloudWatch keeps: Powertools writes JSON lines to stdout and stderr.
    const printed: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    expect(await invoke(sqsRecord('m-eve', job(eve)))).toEqual(['m-eve']);
    vi.restoreAllMocks();
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-after-eve' });

    const lines = printed.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const failed = lines.find((l) => l.message === 'report failed');
    expect(failed).toMatchObject({ level: 'ERROR', userId: eve.userId, week, errorName: 'MailDeliveryError' });
    // The reason survives, with the address out of it.
    expect(String(failed!.error)).toMatch(/not verified/);
    expect(String(failed!.error)).toContain('@example.com');
    for (const line of lines) expect(JSON.stringify(line)).not.toMatch(/eve\.adams@/);
    expect(printed.join('')).not.toMatch(/eve\.adams@/);
  });

  it('refuses a malformed job as that record\'s failure', async () => {
    const bad = sqsRecord('m-bad', { v: 1, userId: ann.userId, week: '2026-48', asOf: asOf.toISOString() });
    expect(await invoke(bad, sqsRecord('m-ann', job(ann), 4))).toEqual(['m-bad']);
    expect(await invoke(bad)).toEqual(['m-bad']);
  });
});
