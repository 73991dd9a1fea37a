import { SESv2Client, SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SQSBatchResponse } from 'aws-lambda';
import { handler, makeBriefWorkerHandler } from '#functions/brief-worker.ts';
import { lambdaEnv } from '#functions/shared/env.ts';
import { setRuntimeForTests } from '#functions/shared/runtime.ts';
import { metrics } from '#functions/shared/observability.ts';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { addNote } from '#lib/notes/notes.ts';
import type { BriefJob } from '#lib/queue/jobs.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { ME, mail, meetingWith } from '#test/brief/world.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { lambdaContext, sqsEvent, sqsRecord } from './report-events.ts';

/**
 * The brief worker as Lambda runs it (issue 12, AWS): partial batch responses, one email per
 * person and day across a batch holding the same job twice, a malformed job failing only
 * itself, and logs that carry ids, never a note or an address.
 */
const ses = mockClient(SESv2Client);
const vault = LocalKeyVault.fromKey(Buffer.alloc(32, 8));
const SECRET = Buffer.alloc(32, 9);
const ANN = 'ann.lee@client.example';
const NOTE = 'Her daughter Maya starts university in September';
const USER = 'u-brief-worker';
const job: BriefJob = { v: 1, userId: USER, date: '2026-11-24', asOf: '2026-11-24T06:00:00.000Z' };
let db: TestDynamo;
let store: DynamoStore;
let requests = 0;

async function invoke(...records: ReturnType<typeof sqsRecord>[]): Promise<string[]> {
  try {
    const result = (await handler(sqsEvent(...records), lambdaContext(`req-${(requests += 1)}`))) as SQSBatchResponse;
    return result.batchItemFailures.map((f) => f.itemIdentifier);
  } catch (error) {
    if ((error as Error).name !== 'FullBatchFailureError') throw error;
    return records.map((r) => r.messageId);
  }
}

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
  await store.putUser({ userId: USER, email: ME, timeZone: 'Europe/Paris', me: [], internalDomains: [], reportsPaused: false, createdAt: '2026-01-01T00:00:00.000Z' });
  await store.putAccount({ userId: USER, accountId: 'acct', provider: 'google', address: ME, aliases: [], status: 'active', errorCount: 0, cursors: {}, lastSyncAt: '2026-11-24T05:30:00.000Z' });
  await store.putItems(USER, [
    mail({ from: ANN, to: [ME], at: '2026-11-20T10:00:00.000Z', names: { [ANN]: 'Ann Lee' } }),
    meetingWith('2026-11-24T09:00:00.000Z', [ANN]),
  ]);
  await addNote({ store, vault, now: () => new Date('2026-11-01T00:00:00.000Z') }, USER, ANN, NOTE);
  setRuntimeForTests({
    env: lambdaEnv({ SINEW_TABLE_NAME: db.tableName, SINEW_SENDER: 'briefs@sinew.example.com', SINEW_BASE_URL: 'https://sinew.example.com', SINEW_SES_CONFIGURATION_SET: 'sinew' }),
    store,
    vault,
    sqs: new SQSClient({ region: 'eu-west-1' }),
    oauthClient: () => Promise.reject(new Error('unused')),
    linkSecret: async () => SECRET,
  });
  let n = 0;
  ses.on(SendEmailCommand).callsFake(async () => ({ MessageId: `ses-${(n += 1)}` }));
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.parse('2026-11-24T06:01:00.000Z'));
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  vi.useRealTimers();
  setRuntimeForTests(undefined);
  ses.restore();
  await db.close();
});

describe('brief worker', () => {
  it('sends one brief for a batch holding the same job twice and a malformed one, which alone fails; logs carry no note and no address', async () => {
    vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
    const metric = vi.spyOn(metrics, 'addMetric');
    const printed: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const bad = sqsRecord('m-bad', { ...job, date: '24/11/2026' });
    const failed = await invoke(sqsRecord('m-1', job), sqsRecord('m-2', job, 2), bad);
    vi.restoreAllMocks();

    expect(failed).toEqual(['m-bad']);
    const sends = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
    expect(sends).toHaveLength(1);
    expect(sends[0]!.Destination?.ToAddresses).toEqual([ME]);
    const email = await simpleParser(Buffer.from(sends[0]!.Content!.Raw!.Data!));
    expect(email.text).toContain(NOTE);
    expect(metric).toHaveBeenCalledWith('BriefSent', 'Count', 1);

    const lines = printed.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.message === 'brief sent')).toMatchObject({ level: 'INFO', userId: USER, date: '2026-11-24', meetings: 1 });
    expect(lines.find((l) => l.message === 'brief skipped')).toMatchObject({ reason: 'already-sent' });
    const all = printed.join('');
    expect(all).not.toContain('Maya');
    expect(all).not.toContain(ANN);
    expect(all).not.toContain(ME);
  });

  it('with the team view on (SINEW_TEAM=on), names the colleagues who know an attendee, from the team index, never the person', async () => {
    const entry = (sharer: string, colleague: string, colleagueName: string) => ({
      sharer, colleague, colleagueName, contact: ANN, name: 'Ann Lee', domain: 'client.example', tier: 'strong' as const,
      lastInteraction: '2026-11-18', lastMeeting: null, active: true,
    });
    await store.teamIndex.replace('u-sam', [entry('u-sam', 'sam.lee@acme.com', 'Sam Lee')]);
    await store.teamIndex.replace(USER, [entry(USER, ME, 'Me Myself')]);
    await store.putItems(USER, [meetingWith('2026-11-25T09:00:00.000Z', [ANN])]);
    const base = { SINEW_TABLE_NAME: db.tableName, SINEW_SENDER: 'briefs@sinew.example.com', SINEW_BASE_URL: 'https://sinew.example.com', SINEW_SES_CONFIGURATION_SET: 'sinew' };
    const runtime = { store, vault, sqs: new SQSClient({ region: 'eu-west-1' }), oauthClient: () => Promise.reject(new Error('unused')), linkSecret: async () => SECRET };
    const textOf = async (date: string, team: boolean): Promise<string> => {
      setRuntimeForTests({ ...runtime, env: lambdaEnv({ ...base, ...(team ? { SINEW_TEAM: 'on' } : {}) }) });
      vi.setSystemTime(Date.parse(`${date}T06:01:00.000Z`));
      const before = ses.commandCalls(SendEmailCommand).length;
      expect(await invoke(sqsRecord(`m-${date}`, { ...job, date, asOf: `${date}T06:00:00.000Z` }))).toEqual([]);
      const sends = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
      expect(sends).toHaveLength(before + 1);
      return (await simpleParser(Buffer.from(sends.at(-1)!.Content!.Raw!.Data!))).text ?? '';
    };
    await store.putItems(USER, [meetingWith('2026-11-26T09:00:00.000Z', [ANN])]);
    const on = await textOf('2026-11-25', true);
    expect(on).toMatch(/Colleagues who know Ann: Sam Lee \(strong tie, [^)]*18 Nov[^)]*\)/);
    expect(on).not.toContain('Me Myself');
    expect(await textOf('2026-11-26', false)).not.toContain('Colleagues who know');
  });

  it('tries a send SES throttles for its rate again within the invocation (no record fails), spaced by SINEW_SES_SEND_RATE', async () => {
    const clock = new VirtualClock(Date.parse('2026-11-27T06:01:00.000Z'));
    const paced = makeBriefWorkerHandler({ clock, random: () => 0 });
    setRuntimeForTests({
      env: lambdaEnv({ SINEW_TABLE_NAME: db.tableName, SINEW_SENDER: 'briefs@sinew.example.com', SINEW_BASE_URL: 'https://sinew.example.com', SINEW_SES_SEND_RATE: '14' }),
      store, vault, sqs: new SQSClient({ region: 'eu-west-1' }), oauthClient: () => Promise.reject(new Error('unused')), linkSecret: async () => SECRET,
    });
    await store.putItems(USER, [meetingWith('2026-11-27T09:00:00.000Z', [ANN])]);
    const at: number[] = [];
    let answered = 0;
    ses.reset();
    ses.on(SendEmailCommand).callsFake(async () => {
      at.push(clock.now());
      if ((answered += 1) <= 2) throw new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: { httpStatusCode: 429 } });
      return { MessageId: 'ses-paced' };
    });
    vi.setSystemTime(clock.now());
    const result = (await paced(sqsEvent(sqsRecord('m-paced', { ...job, date: '2026-11-27', asOf: '2026-11-27T06:00:00.000Z' })), lambdaContext('req-paced', 100_000))) as SQSBatchResponse;
    expect(result.batchItemFailures).toEqual([]);
    // Throttled twice, then sent: waits of 1 s and 2 s, each try after the pacer's 3 s spacing (14/s over 42 workers).
    expect(at).toHaveLength(3);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(3_000);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(3_000);
  });
});
