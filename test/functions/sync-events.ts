import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { LocalKeyVault } from '#lib/connect/token-vault.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { lambdaEnv } from '#functions/shared/env.ts';
import type { Runtime } from '#functions/shared/runtime.ts';
import { TEST_CLIENT } from '#test/support/google/world.ts';
import { lambdaContext as fakeContext } from '#test/support/lambda.ts';

/**
 * Realistic AWS inputs for the sync handlers' tests: SQS FIFO records as Lambda receives
 * them, a Lambda context whose remaining time follows a clock, and a runtime whose SQS
 * client is mocked (SQS has no local stand-in) and records every SendMessageBatch entry.
 */
export const SYNC_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/sinew-sync.fifo';
const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:sinew-sync.fifo';

let sequence = 18_000_000_000_000_000_000n;

/** One FIFO record as the event source mapping delivers it. */
export function fifoRecord(entry: { body: string; groupId: string; dedupId: string; messageId?: string; receiveCount?: number }): SQSRecord {
  sequence += 1n;
  const messageId = entry.messageId ?? `m-${sequence}`;
  return {
    messageId,
    receiptHandle: `AQEB${messageId}`,
    body: entry.body,
    attributes: {
      ApproximateReceiveCount: String(entry.receiveCount ?? 1),
      SentTimestamp: '1795417200000',
      SenderId: 'AROAEXAMPLE:sinew-sync-dispatcher',
      ApproximateFirstReceiveTimestamp: '1795417200100',
      SequenceNumber: String(sequence),
      MessageGroupId: entry.groupId,
      MessageDeduplicationId: entry.dedupId,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'eu-west-1',
  };
}

/** The record SQS would deliver for an entry a handler sent. */
export function recordOf(entry: SendMessageBatchRequestEntry): SQSRecord {
  return fifoRecord({ body: entry.MessageBody!, groupId: entry.MessageGroupId!, dedupId: entry.MessageDeduplicationId! });
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** A Lambda context; `remainingMs` is asked at each call, so it can follow a clock. */
export function lambdaContext(remainingMs: () => number): Context {
  return fakeContext({ functionName: 'sinew-sync-worker', remainingMs });
}

/** A mocked SQS client that accepts every batch and keeps what was sent, in order. */
export function capturingSqs(): { sqs: SQSClient; sent: SendMessageBatchRequestEntry[]; batches: () => number } {
  const sqs = new SQSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const mock = mockClient(sqs);
  const sent: SendMessageBatchRequestEntry[] = [];
  mock.on(SendMessageBatchCommand).callsFake((input: { Entries: SendMessageBatchRequestEntry[] }) => {
    sent.push(...input.Entries);
    return { Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `sent-${e.Id}`, MD5OfMessageBody: '' })), Failed: [] };
  });
  return { sqs, sent, batches: () => mock.commandCalls(SendMessageBatchCommand).length };
}

/** The handlers' runtime on dynalite, the local vault and a mocked SQS client; the OAuth secret holds `oauthClient` (Google's test client by default). */
export function testRuntime(store: DynamoStore, vault: LocalKeyVault, sqs: SQSClient, oauthClient = TEST_CLIENT): Runtime {
  return {
    env: lambdaEnv({
      SINEW_TABLE_NAME: 'sinew-test',
      SINEW_SYNC_QUEUE_URL: SYNC_QUEUE_URL,
      SINEW_SENDER: 'sinew@corp.example',
      SINEW_BASE_URL: 'https://sinew.corp.example',
    }),
    store,
    vault,
    sqs,
    oauthClient: async () => oauthClient,
    linkSecret: async () => Buffer.from('x'.repeat(64)),
  };
}
