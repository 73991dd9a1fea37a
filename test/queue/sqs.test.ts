import { afterEach, describe, expect, it } from 'vitest';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { SEND_CONCURRENCY, SqsReportQueue, SqsSyncQueue } from '#lib/queue/sqs.ts';
import type { SyncJob } from '#lib/queue/jobs.ts';
import { StoreError } from '#lib/errors.ts';

/**
 * How the queues send (issue 14): SendMessageBatch calls of at most 10, SEND_CONCURRENCY
 * of them in flight, never more; the first refusal stops the calls not yet made and is
 * thrown. Sent one after the other, the sync dispatcher's 2-minute timeout cut 100,000
 * accounts off at about 60,000 (npm run bench:fleet).
 */
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/sinew-sync.fifo';
const sqsMock = mockClient(SQSClient);
afterEach(() => sqsMock.reset());

const jobs = (n: number): SyncJob[] =>
  Array.from({ length: n }, (_, i) => ({ v: 1, userId: `u${i}`, accountId: `a${i}`, reason: 'scheduled', slot: '2026-12-07T09:00:00.000Z' }));

/** Calls that resolve only when the test lets them: what is in flight can be counted. */
function heldCalls(answer: (input: SendMessageBatchCommandInput, call: number) => { Failed?: Array<{ Id: string; Code: string; SenderFault: boolean; Message?: string }> }) {
  const held: Array<() => void> = [];
  const inputs: SendMessageBatchCommandInput[] = [];
  let inFlight = 0;
  let most = 0;
  sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
    const call = inputs.length;
    inputs.push(input);
    inFlight += 1;
    most = Math.max(most, inFlight);
    return new Promise((resolve) => {
      held.push(() => {
        inFlight -= 1;
        resolve({ Successful: [], ...answer(input, call) });
      });
    });
  });
  /** Lets every held call answer, round after round, until `done` settles. */
  const drain = async (done: Promise<unknown>): Promise<void> => {
    let settled = false;
    void done.then(() => (settled = true), () => (settled = true));
    while (!settled) {
      await new Promise((r) => setImmediate(r));
      for (const release of held.splice(0)) release();
    }
  };
  return { inputs, drain, most: () => most };
}

describe('SqsSyncQueue.send', () => {
  it(`sends batches of 10 with ${SEND_CONCURRENCY} calls in flight, every job once`, async () => {
    const calls = heldCalls(() => ({}));
    const sending = new SqsSyncQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL).send(jobs(1_234));
    await calls.drain(sending);
    await sending;
    expect(calls.most()).toBe(SEND_CONCURRENCY);
    expect(calls.inputs).toHaveLength(124);
    const bodies = calls.inputs.flatMap((input) => {
      expect(input.QueueUrl).toBe(QUEUE_URL);
      expect(input.Entries!.length).toBeLessThanOrEqual(10);
      expect(new Set(input.Entries!.map((e) => e.Id)).size).toBe(input.Entries!.length);
      return input.Entries!.map((e) => {
        expect(e.MessageGroupId).toBe((JSON.parse(e.MessageBody!) as SyncJob).accountId);
        return (JSON.parse(e.MessageBody!) as SyncJob).accountId;
      });
    });
    expect(bodies).toEqual(jobs(1_234).map((j) => j.accountId));
  });

  it('a batch SQS takes only in part fails the send, and no call starts after it', async () => {
    const calls = heldCalls((input, call) =>
      call === 3 ? { Failed: [{ Id: input.Entries![4]!.Id!, Code: 'InternalError', SenderFault: false, Message: 'try again' }] } : {},
    );
    const sending = new SqsSyncQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL).send(jobs(1_000));
    await calls.drain(sending);
    await expect(sending).rejects.toThrow(StoreError);
    await expect(sending).rejects.toThrow('sync queue: SQS refused 1 of 10 messages (InternalError: try again)');
    // The first round of 10 calls was in flight when call 3 failed; none was made after.
    expect(calls.inputs).toHaveLength(SEND_CONCURRENCY);
  });

  it('a refused call (an SDK error) is thrown as it came', async () => {
    let n = 0;
    sqsMock.on(SendMessageBatchCommand).callsFake(async () => {
      n += 1;
      if (n === 2) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return { Successful: [], Failed: [] };
    });
    await expect(new SqsReportQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL).send(Array.from({ length: 300 }, (_, i) => ({ i })) as never)).rejects.toThrow('Rate exceeded');
    expect(n).toBeLessThanOrEqual(1 + SEND_CONCURRENCY);
  });
});
