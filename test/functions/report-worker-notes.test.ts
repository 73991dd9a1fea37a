import { KMSClient } from '@aws-sdk/client-kms';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { simpleParser } from 'mailparser';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '#functions/report-worker.ts';
import { lambdaEnv } from '#functions/shared/env.ts';
import { setRuntimeForTests, type Runtime } from '#functions/shared/runtime.ts';
import { KmsTokenVault } from '#lib/connect/kms-token-vault.ts';
import { addNote } from '#lib/notes/notes.ts';
import type { User } from '#lib/store/types.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { LINK_SECRET, mailItem, seedUser } from '#test/support/report-job-fixtures.ts';
import { fakeKms, type FakeKms } from './fake-kms.ts';
import { lambdaContext, sqsEvent, sqsRecord } from './report-events.ts';

/**
 * The report worker opens the newest note on each action's contact with the token key
 * (KMS, under the note's encryption context) when the deployment gives it the key, and
 * sends the report without notes, saying so in a warning that carries no note, when it
 * cannot open them.
 */

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/0f3c6a55-1111-4222-8333-944455556666';
const NOTE = 'Back from parental leave on the 30th';
const asOf = new Date('2026-11-23T06:00:00.000Z');
const DAY = 86_400_000;

const ses = mockClient(SESv2Client);
let db: TestDynamo;
let kms: FakeKms;
let output: string[];
let n = 0;

beforeAll(async () => {
  db = await startTestDynamo();
});
afterAll(async () => {
  ses.restore();
  await db.close();
});
beforeEach(() => {
  kms = fakeKms(Buffer.alloc(32, 4));
  ses.reset();
  ses.on(SendEmailCommand).callsFake(async () => ({ MessageId: `ses-${(n += 1)}` }));
  output = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => output.push(String(chunk)) > 0);
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  kms.restore();
  setRuntimeForTests(undefined);
});

function runtimeWith(opts: { keyArn?: string }): Runtime {
  return {
    env: lambdaEnv({
      SINEW_TABLE_NAME: db.tableName,
      SINEW_SENDER: 'reports@sinew.example.com',
      SINEW_BASE_URL: 'https://sinew.example.com',
      SINEW_SES_CONFIGURATION_SET: 'sinew-reports',
      ...(opts.keyArn ? { SINEW_TOKEN_KEY_ARN: opts.keyArn } : {}),
    }),
    store: db.store(),
    vault: new KmsTokenVault(new KMSClient({ region: 'eu-west-1' }), KEY_ARN),
    sqs: new SQSClient({ region: 'eu-west-1' }),
    oauthClient: () => Promise.reject(new Error('unused')),
    linkSecret: async () => LINK_SECRET,
  };
}

/** A person Ann waits on, with a note about Ann sealed under KMS. */
async function personWithNote(email: string): Promise<User> {
  const store = db.store();
  const { user, account } = await seedUser(store, { email, timeZone: 'Europe/Paris', asOf });
  await store.putItems(user.userId, [mailItem(account.accountId, `owed-${email}`, new Date(asOf.getTime() - 4 * DAY).toISOString(), 'ann@acme.com', email, false)]);
  await addNote({ store, vault: new KmsTokenVault(new KMSClient({ region: 'eu-west-1' }), KEY_ARN), now: () => new Date(asOf.getTime() - DAY) }, user.userId, 'ann@acme.com', NOTE);
  return user;
}

async function invoke(user: User, id: string): Promise<string[]> {
  const record = sqsRecord(id, { v: 1, userId: user.userId, week: '2026-W48', asOf: asOf.toISOString() });
  const result = (await handler(sqsEvent(record), lambdaContext(`req-${id}`))) as SQSBatchResponse;
  return result.batchItemFailures.map((f) => f.itemIdentifier);
}

async function sentText(): Promise<string> {
  const calls = ses.commandCalls(SendEmailCommand);
  expect(calls).toHaveLength(1);
  return (await simpleParser(Buffer.from(calls[0]!.args[0].input.Content!.Raw!.Data!))).text ?? '';
}

describe('report worker and notes', () => {
  it('with the token key: opens the note under its encryption context and sends it beside the action', async () => {
    const user = await personWithNote('kim@example.com');
    setRuntimeForTests(runtimeWith({ keyArn: KEY_ARN }));
    expect(await invoke(user, 'w1')).toEqual([]);
    expect(await sentText()).toContain(`Your note: ${NOTE}`);
    const decrypts = kms.calls.filter((c) => c.op === 'Decrypt');
    expect(decrypts).toHaveLength(1);
    expect(decrypts[0]!.context).toMatchObject({ purpose: 'note', userId: user.userId });
    expect(output.join('')).not.toContain(NOTE);
  });

  it('without the token key in its environment: sends the report without notes and opens nothing', async () => {
    const user = await personWithNote('lou@example.com');
    kms.calls.length = 0;
    setRuntimeForTests(runtimeWith({}));
    expect(await invoke(user, 'w2')).toEqual([]);
    const text = await sentText();
    expect(text).toContain('Reply to ann@acme.com');
    expect(text).not.toContain('Your note');
    expect(kms.calls.filter((c) => c.op === 'Decrypt')).toEqual([]);
  });

  it('when KMS refuses: sends the report without notes and warns, naming no note', async () => {
    const user = await personWithNote('max@example.com');
    setRuntimeForTests(runtimeWith({ keyArn: KEY_ARN }));
    kms.restore();
    const refusing = mockClient(KMSClient);
    refusing.onAnyCommand().rejects(Object.assign(new Error('User is not authorized to perform: kms:Decrypt'), { name: 'AccessDeniedException' }));
    try {
      expect(await invoke(user, 'w3')).toEqual([]);
    } finally {
      refusing.restore();
    }
    const text = await sentText();
    expect(text).toContain('Reply to ann@acme.com');
    expect(text).not.toContain('Your note');
    const logged = output.join('');
    expect(logged).toContain('report sent without notes');
    expect(logged).toContain('AccessDeniedException');
    expect(logged).not.toContain(NOTE);
  });
});
