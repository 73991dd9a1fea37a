import { gunzipSync, gzipSync } from 'node:zlib';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Item } from '#lib/items/types.ts';
import { isSharingAnswer, type Feedback } from '#lib/items/feedback.ts';
import type { Account, AccountChange, AccountChangeResult, AccountStatus, PutItemsOptions, PutItemsResult, SendClaim, Store, User, UserChange } from '#lib/store/types.ts';
import { InputError, SinewError, StoreError } from '#lib/errors.ts';
import { canonicalTimeZone } from '#lib/time/zones.ts';
import { BATCH_GET_MAX, batchGet, chunk, defaultRetryPolicy, mapWithLimit, type RetryPolicy } from './batch.ts';
import { fromItemRecord, itemSortKey } from './item-record.ts';
import { deletePerson, keepIfPersonExists } from './disconnect.ts';
import { StringPool } from '#lib/items/string-pool.ts';
import { deleteAccountItems, deleteItems, putItems, type ItemWriter } from './item-writes.ts';
import { updateAccount, updateUser } from './updates.ts';
import { claimSend, markSent, releaseSend } from './send-claims.ts';
import { DynamoNoteStore } from './notes.ts';
import { DynamoTeamIndex } from './team-index.ts';
import {
  GSI_SYNC_PREFIX,
  GSI_WEEKLY_PREFIX,
  SK_ACCOUNT_PREFIX,
  SK_FEEDBACK_PREFIX,
  SK_ITEM_PREFIX,
  SK_PROFILE,
  SK_REPORT_PREFIX,
  TABLE_KEYS,
  accountScheduleKey,
  describe,
  userIdFromPk,
  userPk,
} from './schema.ts';

export interface DynamoStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Backoff for unprocessed batch items; `sleep` is injectable for tests. */
  retry?: Partial<RetryPolicy>;
  /** Batch requests in flight at once within one `putItems` or `deleteUser`. @default 4 */
  concurrency?: number;
  /** Query page size (DynamoDB also stops a page at 1 MB). @default no limit */
  pageSize?: number;
}

const KEY_ATTRIBUTES = [
  TABLE_KEYS.partitionKey,
  TABLE_KEYS.sortKey,
  TABLE_KEYS.gsi1.partitionKey,
  TABLE_KEYS.gsi1.sortKey,
];
/** DynamoDB's item limit is 400 KB; keep room for the keys. */
const MAX_REPORT_BYTES = 390 * 1024;
const ISO_WEEK = /^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/;

/**
 * The Store on DynamoDB (or dynalite locally), one table, one partition per user.
 *
 * `putItems` reads the content hash of each item's record first (BatchGetItem) and writes
 * only items that are new or changed (BatchWriteItem): a message ingested again costs a
 * half-unit read and no write, a new one exactly one write, and `written`/`unchanged`
 * are exact. A conditional PutItem per item would give the same counts but one request
 * (and one write unit, even when the condition fails) per item.
 */
export class DynamoStore implements Store {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retry: RetryPolicy;
  private readonly concurrency: number;
  private readonly pageSize: number | undefined;
  private readonly writer: ItemWriter;
  readonly notes: DynamoNoteStore;
  readonly teamIndex: DynamoTeamIndex;

  constructor(options: DynamoStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.concurrency = options.concurrency ?? 4;
    this.pageSize = options.pageSize;
    this.notes = new DynamoNoteStore(this.doc, this.tableName);
    this.teamIndex = new DynamoTeamIndex(this.doc, this.tableName, this.retry, this.concurrency);
    this.writer = {
      doc: this.doc,
      tableName: this.tableName,
      retry: this.retry,
      concurrency: this.concurrency,
      queryPages: (operation, input) => this.queryPages(operation, input),
    };
  }

  async putUser(user: User): Promise<void> {
    const schedule = user.reportsPaused
      ? {}
      : { gsi1pk: `${GSI_WEEKLY_PREFIX}${canonicalTimeZone(user.timeZone)}`, gsi1sk: user.userId };
    await this.put('putUser', { pk: userPk(user.userId), sk: SK_PROFILE, ...user, ...schedule });
  }

  async getUser(userId: string): Promise<User | undefined> {
    return (await this.get('getUser', userPk(userId), SK_PROFILE)) as User | undefined;
  }

  async updateUser(userId: string, change: UserChange): Promise<User | undefined> {
    try {
      return await updateUser(this.doc, this.tableName, userId, change, canonicalTimeZone);
    } catch (error) {
      throw this.failure('updateUser', error);
    }
  }

  async updateAccount(userId: string, accountId: string, change: AccountChange): Promise<AccountChangeResult> {
    try {
      return await updateAccount(this.doc, this.tableName, userId, accountId, change);
    } catch (error) {
      throw this.failure('updateAccount', error);
    }
  }

  async putAccount(account: Account): Promise<void> {
    await this.put('putAccount', {
      pk: userPk(account.userId),
      sk: `${SK_ACCOUNT_PREFIX}${account.accountId}`,
      ...account,
      gsi1pk: `${GSI_SYNC_PREFIX}${account.status}`,
      gsi1sk: accountScheduleKey(account),
    });
  }

  async getAccount(userId: string, accountId: string): Promise<Account | undefined> {
    return (await this.get('getAccount', userPk(userId), `${SK_ACCOUNT_PREFIX}${accountId}`)) as
      | Account
      | undefined;
  }

  async getItem(userId: string, accountId: string, providerId: string): Promise<Item | undefined> {
    try {
      const output = await this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: userPk(userId), sk: itemSortKey(accountId, providerId) },
          ConsistentRead: true,
        }),
      );
      return output.Item === undefined ? undefined : fromItemRecord(output.Item);
    } catch (error) {
      throw this.failure('getItem', error);
    }
  }

  async getItems(userId: string, accountId: string, providerIds: string[]): Promise<Item[]> {
    const pk = userPk(userId);
    const keys = [...new Set(providerIds)].map((id) => ({ pk, sk: itemSortKey(accountId, id) }));
    try {
      const groups = await mapWithLimit(chunk(keys, BATCH_GET_MAX), this.concurrency, (group) => batchGet(this.doc, this.tableName, group, [], this.retry));
      return groups.flat().map((record) => fromItemRecord(record));
    } catch (error) {
      throw this.failure('getItems', error);
    }
  }

  async listAccounts(userId: string): Promise<Account[]> {
    return this.listPrefix<Account>('listAccounts', userId, SK_ACCOUNT_PREFIX);
  }

  async putItems(userId: string, items: Item[], options: PutItemsOptions = {}): Promise<PutItemsResult> {
    if (items.length === 0) return { written: 0, unchanged: 0, skipped: [] };
    try {
      return await putItems(this.writer, userPk(userId), userId, items, options.ledger);
    } catch (error) {
      throw this.failure('putItems', error);
    }
  }

  async deleteItems(userId: string, accountId: string, providerIds: string[]): Promise<void> {
    try {
      await deleteItems(this.writer, userPk(userId), accountId, providerIds);
    } catch (error) {
      throw this.failure('deleteItems', error);
    }
  }

  async deleteAccountItems(userId: string, accountId: string): Promise<number> {
    try {
      return await deleteAccountItems(this.writer, userPk(userId), accountId);
    } catch (error) {
      throw this.failure('deleteAccountItems', error);
    }
  }

  async deleteAccount(userId: string, accountId: string): Promise<boolean> {
    try {
      const out = await this.doc.send(
        new DeleteCommand({ TableName: this.tableName, Key: { pk: userPk(userId), sk: `${SK_ACCOUNT_PREFIX}${accountId}` }, ReturnValues: 'ALL_OLD' }),
      );
      return out.Attributes !== undefined;
    } catch (error) {
      throw this.failure('deleteAccount', error);
    }
  }

  async *queryItems(userId: string): AsyncIterable<Item> {
    const pages = this.queryPages('queryItems', {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': SK_ITEM_PREFIX },
    });
    const pool = new StringPool(); // one per read: one string per address and label
    for await (const page of pages) {
      for (const record of page) yield fromItemRecord(record, pool);
    }
  }

  async putFeedback(userId: string, feedback: Feedback): Promise<void> {
    // Sharing answers (keep private, and its undo) have their own slot: they never replace a flag answer.
    const key = { pk: userPk(userId), sk: `${SK_FEEDBACK_PREFIX}${feedback.contact}${isSharingAnswer(feedback) ? '#sharing' : ''}` };
    await this.put('putFeedback', { ...key, ...feedback });
    await keepIfPersonExists(this.doc, this.tableName, userId, key, 'putFeedback');
  }

  async listFeedback(userId: string): Promise<Feedback[]> {
    return this.listPrefix<Feedback>('listFeedback', userId, SK_FEEDBACK_PREFIX);
  }

  /** Stored gzip-compressed: a report of a large network would pass DynamoDB's 400 KB item limit as text. */
  async putReport(userId: string, week: string, json: string): Promise<void> {
    checkWeek(week);
    const body = gzipSync(Buffer.from(json, 'utf8'));
    if (body.length > MAX_REPORT_BYTES) {
      throw new StoreError(`putReport ${week}: ${body.length} bytes compressed is over DynamoDB's item limit`);
    }
    await this.put('putReport', { pk: userPk(userId), sk: `${SK_REPORT_PREFIX}${week}`, week, body });
  }

  async getReport(userId: string, week: string): Promise<string | undefined> {
    checkWeek(week);
    const record = await this.get('getReport', userPk(userId), `${SK_REPORT_PREFIX}${week}`);
    if (record === undefined) return undefined;
    return gunzipSync(record.body as Uint8Array).toString('utf8');
  }

  async claimSend(userId: string, key: string, owner: string, now: Date, leaseMs: number): Promise<SendClaim> {
    try {
      return await claimSend(this.doc, this.tableName, { userId, key, owner, now, leaseMs });
    } catch (error) {
      throw this.failure('claimSend', error);
    }
  }

  async markSent(userId: string, key: string, messageId: string, now: Date): Promise<void> {
    try {
      await markSent(this.doc, this.tableName, { userId, key, messageId, now });
    } catch (error) {
      throw this.failure('markSent', error);
    }
  }

  async releaseSend(userId: string, key: string, owner: string): Promise<void> {
    try {
      await releaseSend(this.doc, this.tableName, { userId, key, owner });
    } catch (error) {
      throw this.failure('releaseSend', error);
    }
  }

  async deleteUser(userId: string): Promise<number> {
    try {
      return await deletePerson(this.writer, userId);
    } catch (error) {
      throw this.failure('deleteUser', error);
    }
  }

  /**
   * Accounts in `status` whose last sign of progress (`progressAt`, else `lastSyncAt`)
   * is before `before` (ISO), never-synced first: what the sync dispatcher enqueues. One
   * Query of the schedule index, never a Scan.
   */
  async listAccountsDueForSync(before: string, status: AccountStatus = 'active'): Promise<Array<{ userId: string; accountId: string }>> {
    const due: Array<{ userId: string; accountId: string }> = [];
    const pages = this.queryPages('listAccountsDueForSync', {
      IndexName: TABLE_KEYS.gsi1.indexName,
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :before',
      ExpressionAttributeValues: { ':pk': `${GSI_SYNC_PREFIX}${status}`, ':before': before },
    });
    for await (const page of pages) {
      for (const r of page) {
        due.push({ userId: userIdFromPk(r.pk as string), accountId: (r.sk as string).slice(SK_ACCOUNT_PREFIX.length) });
      }
    }
    return due;
  }

  /**
   * Users in `timeZone` whose reports are not paused: what the report dispatcher enqueues.
   * Zones are indexed under the runtime's canonical name, so `Asia/Kolkata` and
   * `Asia/Calcutta`, or `Etc/UTC` and `UTC`, are one zone.
   */
  async listUsersForReport(timeZone: string): Promise<string[]> {
    const users: string[] = [];
    const pages = this.queryPages('listUsersForReport', {
      IndexName: TABLE_KEYS.gsi1.indexName,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `${GSI_WEEKLY_PREFIX}${canonicalTimeZone(timeZone)}` },
    });
    for await (const page of pages) users.push(...page.map((r) => userIdFromPk(r.pk as string)));
    return users;
  }

  private async put(operation: string, record: Record<string, unknown>): Promise<void> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: record }));
    } catch (error) {
      throw this.failure(operation, error);
    }
  }

  /** One record without its key attributes; strongly consistent (cursors must not go back). */
  private async get(operation: string, pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    try {
      const output = await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: { pk, sk }, ConsistentRead: true }),
      );
      return output.Item === undefined ? undefined : withoutKeys(output.Item);
    } catch (error) {
      throw this.failure(operation, error);
    }
  }

  /** The records of one user under a sort-key prefix, without their key attributes. */
  private async listPrefix<T>(operation: string, userId: string, prefix: string): Promise<T[]> {
    const records: T[] = [];
    const pages = this.queryPages(operation, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': prefix },
      ConsistentRead: true,
    });
    for await (const page of pages) records.push(...page.map((r) => withoutKeys(r) as unknown as T));
    return records;
  }

  /** The pages of one Query, following LastEvaluatedKey. */
  private async *queryPages(
    operation: string,
    input: Omit<QueryCommandInput, 'TableName'>,
  ): AsyncGenerator<Record<string, unknown>[]> {
    let start: Record<string, unknown> | undefined;
    do {
      let output;
      try {
        output = await this.doc.send(
          new QueryCommand({ TableName: this.tableName, Limit: this.pageSize, ...input, ExclusiveStartKey: start }),
        );
      } catch (error) {
        throw this.failure(operation, error);
      }
      yield output.Items ?? [];
      start = output.LastEvaluatedKey;
    } while (start !== undefined);
  }

  private failure(operation: string, error: unknown): SinewError {
    if (error instanceof SinewError) return error;
    return new StoreError(`${operation} on table ${this.tableName} failed: ${describe(error)}`, { cause: error });
  }
}

function withoutKeys(record: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...record };
  for (const key of KEY_ATTRIBUTES) delete copy[key];
  return copy;
}

function checkWeek(week: string): void {
  if (!ISO_WEEK.test(week)) throw new InputError(`report week must be an ISO week like 2026-W48, got ${JSON.stringify(week)}`);
}
