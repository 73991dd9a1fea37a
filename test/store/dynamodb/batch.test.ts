import { describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '#lib/errors.ts';
import { batchGet, batchWrite, chunk, defaultRetryPolicy, mapWithLimit, type WriteRequest } from '#lib/store/dynamodb/batch.ts';

/**
 * dynalite never throttles, so the unprocessed-items loop is driven here by a scripted
 * sender answering like a throttled DynamoDB; the happy path runs against dynalite in
 * store.test.ts.
 */
type Sent = { input: { RequestItems: Record<string, unknown> } };

function scripted(answers: Array<(input: Sent['input']) => unknown>): { client: Pick<DynamoDBDocumentClient, 'send'>; sent: Sent['input'][] } {
  const sent: Sent['input'][] = [];
  const send = async (command: Sent) => {
    sent.push(command.input);
    const answer = answers.shift();
    if (answer === undefined) throw new Error('unexpected request');
    return answer(command.input);
  };
  return { client: { send } as unknown as Pick<DynamoDBDocumentClient, 'send'>, sent };
}

const put = (sk: string): WriteRequest => ({ PutRequest: { Item: { pk: 'USER#u', sk } } });

describe('batchWrite', () => {
  it('resends unprocessed items with growing waits until all are written', async () => {
    const waits: number[] = [];
    const policy = { ...defaultRetryPolicy, sleep: async (ms: number) => void waits.push(ms) };
    const { client, sent } = scripted([
      () => ({ UnprocessedItems: { t: [put('b'), put('c')] } }),
      () => ({ UnprocessedItems: { t: [put('c')] } }),
      () => ({ UnprocessedItems: {} }),
    ]);
    await batchWrite(client, 't', [put('a'), put('b'), put('c')], policy);
    expect(sent.map((i) => (i.RequestItems.t as WriteRequest[]).length)).toEqual([3, 2, 1]);
    expect(waits).toEqual([50, 100]);
  });

  it('gives up with a StoreError when the table stays throttled', async () => {
    const waits: number[] = [];
    const policy = { ...defaultRetryPolicy, maxRetries: 3, sleep: async (ms: number) => void waits.push(ms) };
    const { client } = scripted(Array.from({ length: 10 }, () => () => ({ UnprocessedItems: { t: [put('a')] } })));
    const error = await batchWrite(client, 't', [put('a')], policy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/BatchWriteItem: 1 requests still unprocessed after 3 retries/);
    expect(waits).toEqual([50, 100, 200]);
  });
});

describe('batchGet', () => {
  it('collects responses across resends of unprocessed keys', async () => {
    const policy = { ...defaultRetryPolicy, sleep: async () => undefined };
    const { client, sent } = scripted([
      () => ({ Responses: { t: [{ sk: 'a', h: '1' }] }, UnprocessedKeys: { t: { Keys: [{ pk: 'USER#u', sk: 'b' }] } } }),
      () => ({ Responses: { t: [{ sk: 'b', h: '2' }] } }),
    ]);
    const found = await batchGet(client, 't', [{ pk: 'USER#u', sk: 'a' }, { pk: 'USER#u', sk: 'b' }], ['sk', 'h'], policy);
    expect(found).toEqual([{ sk: 'a', h: '1' }, { sk: 'b', h: '2' }]);
    expect(sent[1]?.RequestItems.t).toMatchObject({ Keys: [{ pk: 'USER#u', sk: 'b' }], ProjectionExpression: '#a0, #a1' });
  });
});

describe('chunk and mapWithLimit', () => {
  it('splits in order and never runs more than the limit at once', async () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    let running = 0;
    let peak = 0;
    const results = await mapWithLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await Promise.resolve();
      running -= 1;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});
