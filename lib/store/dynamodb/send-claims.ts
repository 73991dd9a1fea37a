import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SendClaim } from '#lib/store/types.ts';
import { InputError } from '#lib/errors.ts';
import { SK_SEND_PREFIX, TABLE_KEYS, userPk } from './schema.ts';

/**
 * Exactly-once bookkeeping for emails Sinew sends once (the weekly report, the reconnect
 * notice), on conditional writes alone: dynalite has no transactions, and none are
 * needed. One record per (user, email key):
 *
 * - `state = claimed`, `owner`, `leaseUntil` (epoch ms) while a worker sends;
 * - `state = sent`, `messageId`, `sentAt` once the transport accepted it.
 *
 * A claim succeeds when no record exists or the record is an expired claim, so of
 * concurrent workers exactly one proceeds, and a worker that crashed before sending is
 * replaced once its lease runs out. The one case that sends twice: a worker crashes after
 * the transport accepted the message and before `markSent` landed, and the job is retried
 * after the lease expired. Callers keep that window to one DynamoDB write.
 */

/** Send records outlive any redelivery of their job; then DynamoDB TTL removes them. */
const SEND_RECORD_DAYS = 120;
const KEY = /^[A-Za-z0-9#:._@+-]{1,200}$/;

export async function claimSend(
  doc: DynamoDBDocumentClient,
  tableName: string,
  input: { userId: string; key: string; owner: string; now: Date; leaseMs: number },
): Promise<SendClaim> {
  checkKey(input.key);
  if (!(input.leaseMs > 0)) throw new InputError(`claimSend ${input.key}: the lease must be positive (got ${input.leaseMs})`);
  const pk = userPk(input.userId);
  const sk = `${SK_SEND_PREFIX}${input.key}`;
  const now = input.now.getTime();
  try {
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk,
          sk,
          state: 'claimed',
          owner: input.owner,
          leaseUntil: now + input.leaseMs,
          claimedAt: input.now.toISOString(),
          [TABLE_KEYS.ttlAttribute]: expiry(input.now),
        },
        ConditionExpression: 'attribute_not_exists(pk) OR (#state = :claimed AND leaseUntil <= :now)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':claimed': 'claimed', ':now': now },
      }),
    );
    return 'claimed';
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  // Lost the race or already done: read which (strongly consistent, the write just failed on it).
  const out = await doc.send(new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }));
  return out.Item?.state === 'sent' ? 'sent' : 'busy';
}

export async function markSent(
  doc: DynamoDBDocumentClient,
  tableName: string,
  input: { userId: string; key: string; messageId: string; now: Date },
): Promise<void> {
  checkKey(input.key);
  // Unconditional: the message went out whoever holds the claim now, so every later
  // claim must answer `sent` (a late markSent after a lease expiry still stops a third send).
  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: userPk(input.userId),
        sk: `${SK_SEND_PREFIX}${input.key}`,
        state: 'sent',
        messageId: input.messageId,
        sentAt: input.now.toISOString(),
        [TABLE_KEYS.ttlAttribute]: expiry(input.now),
      },
    }),
  );
}

export async function releaseSend(
  doc: DynamoDBDocumentClient,
  tableName: string,
  input: { userId: string; key: string; owner: string },
): Promise<void> {
  checkKey(input.key);
  try {
    await doc.send(
      new DeleteCommand({
        TableName: tableName,
        Key: { pk: userPk(input.userId), sk: `${SK_SEND_PREFIX}${input.key}` },
        // Only our own unfinished claim: never a receipt, never another worker's lease.
        ConditionExpression: '#state = :claimed AND #owner = :owner',
        ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner' },
        ExpressionAttributeValues: { ':claimed': 'claimed', ':owner': input.owner },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

function expiry(now: Date): number {
  return Math.floor(now.getTime() / 1000) + SEND_RECORD_DAYS * 86_400;
}

function checkKey(key: string): void {
  if (!KEY.test(key)) throw new InputError(`send key must be 1-200 characters of [A-Za-z0-9#:._@+-], got ${JSON.stringify(key)}`);
}
