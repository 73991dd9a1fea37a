import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchGetCommandOutput,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { StoreError } from '#lib/errors.ts';

/**
 * BatchGetItem and BatchWriteItem with their unprocessed-items loop. DynamoDB answers
 * throttled parts of a batch as "unprocessed" rather than as an error, so a caller that
 * ignores them silently loses writes; these helpers resend them with exponential backoff
 * and fail loudly when they never get through.
 */

/** DynamoDB's per-request limits. */
export const BATCH_GET_MAX = 100;
export const BATCH_WRITE_MAX = 25;

export type Key = { pk: string; sk: string };
export type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Key } };

export interface RetryPolicy {
  /** Waits between resends; injected so tests never sleep. */
  sleep: (ms: number) => Promise<void>;
  /** Resends of the unprocessed part before giving up. */
  maxRetries: number;
  /** First wait; doubles on each resend up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  maxRetries: 10,
  baseDelayMs: 50,
  maxDelayMs: 5_000,
};

type Sender = Pick<DynamoDBDocumentClient, 'send'>;

/** Get the records for up to {@link BATCH_GET_MAX} keys, projected to `attributes` (every attribute when none are named). */
export async function batchGet(
  client: Sender,
  tableName: string,
  keys: Key[],
  attributes: string[],
  policy: RetryPolicy,
): Promise<Record<string, unknown>[]> {
  const names = Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a]));
  const found: Record<string, unknown>[] = [];
  let pending = keys;
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt > 0) await backoff(policy, attempt, 'BatchGetItem', pending.length);
    const output: BatchGetCommandOutput = await client.send(
      new BatchGetCommand({
        RequestItems: {
          [tableName]: {
            Keys: pending,
            ...(attributes.length > 0 ? { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names } : {}),
          },
        },
      }),
    );
    found.push(...(output.Responses?.[tableName] ?? []));
    pending = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as Key[];
  }
  return found;
}

/** Write up to {@link BATCH_WRITE_MAX} put or delete requests, resending unprocessed ones. */
export async function batchWrite(
  client: Sender,
  tableName: string,
  requests: WriteRequest[],
  policy: RetryPolicy,
): Promise<void> {
  let pending = requests;
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt > 0) await backoff(policy, attempt, 'BatchWriteItem', pending.length);
    const output: BatchWriteCommandOutput = await client.send(
      new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
    );
    pending = (output.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
  }
}

async function backoff(policy: RetryPolicy, attempt: number, operation: string, left: number): Promise<void> {
  if (attempt > policy.maxRetries) {
    throw new StoreError(
      `${operation}: ${left} requests still unprocessed after ${policy.maxRetries} retries; ` +
        'the table is throttled: retry later or raise its capacity',
    );
  }
  await policy.sleep(Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs));
}

/** Split into consecutive chunks of at most `size`. */
export function chunk<T>(values: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size));
  return chunks;
}

/** Bounded fan-out, kept here for the store's modules that import it with the batches. */
export { mapWithLimit } from '#lib/map-with-limit.ts';
