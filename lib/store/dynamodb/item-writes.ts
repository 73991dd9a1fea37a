import { PutCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Item } from '#lib/items/types.ts';
import type { PutItemsResult } from '#lib/store/types.ts';
import type { ItemLedger } from '#lib/store/item-ledger.ts';
import { StoreError } from '#lib/errors.ts';
import { BATCH_GET_MAX, BATCH_WRITE_MAX, batchGet, batchWrite, chunk, mapWithLimit, type Key, type RetryPolicy, type WriteRequest } from './batch.ts';
import { boundItem } from './item-bounds.ts';
import { accountKeyPrefixes, itemSortKey, itemTtl, toItemRecord, type ItemRecord } from './item-record.ts';
import { itemBytes, MAX_ITEM_BYTES } from './item-size.ts';
import { SK_ITEM_PREFIX, SK_SKIPPED_PREFIX, TABLE_KEYS, describe } from './schema.ts';
import { setAccountCount } from './updates.ts';

/**
 * Writing items, and taking them back: `putItems` (bounded items, skips instead of
 * failures) and the sweeps a sync makes when its account was deleted under it.
 *
 * An item that cannot be stored even bounded (over the item limit, or without a valid
 * time) gets a small skip record instead, `SKIPPED#<accountId>#<providerId>` with the
 * reason, so that the account's `skippedItems` counts each such item once however often
 * a resync or a re-import meets it again.
 */

export interface ItemWriter {
  doc: Pick<DynamoDBDocumentClient, 'send'>;
  tableName: string;
  retry: RetryPolicy;
  concurrency: number;
  queryPages(operation: string, input: Omit<QueryCommandInput, 'TableName'>): AsyncGenerator<Record<string, unknown>[]>;
}

type Skip = { accountId: string; providerId: string; reason: string; item: Item };

/** See Store.putItems; with a ledger, see ItemLedger. */
export async function putItems(w: ItemWriter, pk: string, userId: string, items: Item[], ledger?: ItemLedger): Promise<PutItemsResult> {
  const skips: Skip[] = [];
  // The same key twice in one batch is refused by DynamoDB; the last copy wins.
  const latest = new Map<string, Pending>();
  for (const item of items) {
    const prepared = prepare(pk, item);
    if ('reason' in prepared) skips.push({ accountId: item.accountId, providerId: item.providerId, reason: prepared.reason, item });
    else latest.set(prepared.record.sk, { item, record: prepared.record, mayBeStored: true });
  }
  if (ledger?.unproven) ledger.proven(await holdsItems(w, pk, ledger.accountId));
  if (ledger) {
    // Asked and noted in one synchronous pass, so that concurrent calls cannot both take a key for new.
    for (const p of latest.values()) {
      p.mayBeStored = ledger.mayHold(p.item.accountId, p.item.providerId);
      ledger.note(p.item.accountId, p.item.providerId);
    }
  }
  const groups = await mapWithLimit(chunk([...latest.values()], BATCH_GET_MAX), w.concurrency, (group) => putGroup(w, pk, group));
  let written = 0;
  for (const g of groups) {
    written += g.written;
    skips.push(...g.skips);
  }
  if (skips.length > 0) await recordSkips(w, pk, userId, skips);
  // A duplicate within the call counts as unchanged, like a redelivery would.
  return {
    written,
    unchanged: items.length - written - skips.length,
    skipped: skips.map(({ providerId, reason }) => ({ providerId, reason })),
  };
}

/** The bounded record of an item, or why it cannot be stored. */
function prepare(pk: string, item: Item): { record: ItemRecord } | { reason: string } {
  let record: ItemRecord;
  try {
    record = toItemRecord(pk, boundItem(item));
  } catch (error) {
    if (error instanceof StoreError) return { reason: error.message };
    throw error;
  }
  const bytes = itemBytes(record);
  if (bytes > MAX_ITEM_BYTES) {
    return { reason: `${bytes} bytes even with its lists bounded, over DynamoDB's ${MAX_ITEM_BYTES}-byte item limit` };
  }
  return { record };
}

/** An item to write unless stored unchanged; `mayBeStored` false when a ledger vouches that it is not stored. */
type Pending = { item: Item; record: ItemRecord; mayBeStored: boolean };

/** Writes the new or changed items among at most BATCH_GET_MAX. */
async function putGroup(w: ItemWriter, pk: string, group: Pending[]): Promise<{ written: number; skips: Skip[] }> {
  const keys: Key[] = group.filter((p) => p.mayBeStored).map(({ record }) => ({ pk, sk: record.sk }));
  const stored = keys.length === 0 ? [] : await batchGet(w.doc, w.tableName, keys, ['sk', 'h'], w.retry);
  const storedHash = new Map(stored.map((r) => [r.sk as string, r.h as string]));
  const toWrite = group.filter(({ record }) => storedHash.get(record.sk) !== record.h);
  const outcomes = await Promise.all(chunk(toWrite, BATCH_WRITE_MAX).map((part) => writePart(w, part)));
  const skips = outcomes.flat();
  return { written: toWrite.length - skips.length, skips };
}

/**
 * One BatchWriteItem. DynamoDB refuses the whole batch for one invalid item, so a refused
 * batch is written again item by item, and only the items DynamoDB itself refuses are
 * skipped (the size check should leave none).
 */
async function writePart(w: ItemWriter, part: Array<{ item: Item; record: ItemRecord }>): Promise<Skip[]> {
  try {
    await batchWrite(w.doc, w.tableName, part.map(({ record }) => ({ PutRequest: { Item: record } })), w.retry);
    return [];
  } catch (error) {
    if (!isValidationError(error)) throw error;
  }
  const skips: Skip[] = [];
  for (const { item, record } of part) {
    try {
      await w.doc.send(new PutCommand({ TableName: w.tableName, Item: record }));
    } catch (error) {
      if (!isValidationError(error)) throw error;
      skips.push({ accountId: item.accountId, providerId: item.providerId, reason: `DynamoDB refused it: ${describe(error)}`, item });
    }
  }
  return skips;
}

function isValidationError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException';
}

/**
 * Whether the account holds any item: the first of its plain keys, or any hashed key
 * naming it (the few items whose ids do not fit a key).
 */
async function holdsItems(w: ItemWriter, pk: string, accountId: string): Promise<boolean> {
  const { plain, hashed } = accountKeyPrefixes(accountId, SK_ITEM_PREFIX);
  const ranges: Array<Omit<QueryCommandInput, 'TableName'>> = [
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': plain },
      Limit: 1,
    },
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: 'accountId = :account',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': hashed, ':account': accountId },
    },
  ];
  for (const range of ranges) {
    for await (const page of w.queryPages('putItems', { ...range, ProjectionExpression: 'sk', ConsistentRead: true })) {
      if (page.length > 0) return true;
    }
  }
  return false;
}

/** Writes one skip record per skipped item and refreshes the count on each account concerned. */
async function recordSkips(w: ItemWriter, pk: string, userId: string, skips: Skip[]): Promise<void> {
  const records = new Map<string, Record<string, unknown>>();
  for (const s of skips) {
    const sk = itemSortKey(s.accountId, s.providerId, SK_SKIPPED_PREFIX);
    const record: Record<string, unknown> = { pk, sk, accountId: s.accountId, reason: s.reason.slice(0, 500), kind: s.item.kind };
    // The provider id is kept when it is of a sane length (it names the message to the person).
    if (Buffer.byteLength(s.providerId, 'utf8') <= 1024) record.providerId = s.providerId;
    const ttl = ttlOf(s.item);
    if (ttl !== undefined) record[TABLE_KEYS.ttlAttribute] = ttl;
    records.set(sk, record);
  }
  const requests: WriteRequest[] = [...records.values()].map((Item) => ({ PutRequest: { Item } }));
  await mapWithLimit(chunk(requests, BATCH_WRITE_MAX), w.concurrency, (part) => batchWrite(w.doc, w.tableName, part, w.retry));
  for (const accountId of new Set(skips.map((s) => s.accountId))) {
    const count = (await accountKeys(w, pk, accountId, SK_SKIPPED_PREFIX)).length;
    await setAccountCount(w.doc, w.tableName, userId, accountId, 'skippedItems', count);
  }
}

/** Skip records expire with the history they stand for (the item's TTL), when it has a time. */
function ttlOf(item: Item): number | undefined {
  try {
    return itemTtl(item);
  } catch {
    return undefined;
  }
}

/** See Store.deleteItems. */
export async function deleteItems(w: ItemWriter, pk: string, accountId: string, providerIds: string[]): Promise<void> {
  const keys = new Set<string>();
  for (const id of providerIds) {
    keys.add(itemSortKey(accountId, id));
    keys.add(itemSortKey(accountId, id, SK_SKIPPED_PREFIX));
  }
  await deleteKeys(w, pk, [...keys]);
}

/** See Store.deleteAccountItems. */
export async function deleteAccountItems(w: ItemWriter, pk: string, accountId: string): Promise<number> {
  const keys = [...(await accountKeys(w, pk, accountId, SK_ITEM_PREFIX)), ...(await accountKeys(w, pk, accountId, SK_SKIPPED_PREFIX))];
  await deleteKeys(w, pk, keys);
  return keys.length;
}

async function deleteKeys(w: ItemWriter, pk: string, sortKeys: string[]): Promise<void> {
  const deletes: WriteRequest[] = sortKeys.map((sk) => ({ DeleteRequest: { Key: { pk, sk } } }));
  await mapWithLimit(chunk(deletes, BATCH_WRITE_MAX), w.concurrency, (part) => batchWrite(w.doc, w.tableName, part, w.retry));
}

/** The sort keys of one account's records under `prefix`: its plain keys, and its hashed ones. */
async function accountKeys(w: ItemWriter, pk: string, accountId: string, prefix: string): Promise<string[]> {
  const { plain, hashed } = accountKeyPrefixes(accountId, prefix);
  const keys: string[] = [];
  const ranges: Array<Omit<QueryCommandInput, 'TableName'>> = [
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': plain },
    },
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: 'accountId = :account',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': hashed, ':account': accountId },
    },
  ];
  for (const range of ranges) {
    for await (const page of w.queryPages('accountKeys', { ...range, ProjectionExpression: 'pk, sk', ConsistentRead: true })) {
      keys.push(...page.map((r) => r.sk as string));
    }
  }
  return keys;
}
