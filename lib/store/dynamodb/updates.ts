import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccountChange, AccountChangeResult, User, UserChange } from '#lib/store/types.ts';
import { StoreError } from '#lib/errors.ts';
import { GSI_SYNC_PREFIX, GSI_WEEKLY_PREFIX, SK_ACCOUNT_PREFIX, SK_PROFILE, TABLE_KEYS, userPk } from './schema.ts';

/**
 * Partial, conditional updates of a profile and of an account: one UpdateItem that sets
 * only the attributes a change names, and only when the record exists. A read-modify-put
 * of the whole record loses whatever another writer changed in between (an unsubscribe
 * overwritten by a time-zone change read from the same old profile) and recreates a
 * record that was deleted in between (an account brought back, token and all, by a sync
 * still running when its owner disconnected). dynalite has no transactions; none are needed.
 */

type Doc = Pick<DynamoDBDocumentClient, 'send'>;

/** Rounds of read-and-update when the profile's schedule inputs change under a change. */
const USER_UPDATE_ATTEMPTS = 5;

class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  readonly sets: string[] = [];
  readonly removes: string[] = [];
  readonly conditions: string[] = [];
  private n = 0;

  name(attribute: string): string {
    const key = `#n${this.n++}`;
    this.names[key] = attribute;
    return key;
  }

  value(value: unknown): string {
    const key = `:v${this.n++}`;
    this.values[key] = value;
    return key;
  }

  set(attribute: string, value: unknown): void {
    this.sets.push(`${this.name(attribute)} = ${this.value(value)}`);
  }

  remove(attribute: string): void {
    this.removes.push(this.name(attribute));
  }

  update(): string {
    return [
      ...(this.sets.length > 0 ? [`SET ${this.sets.join(', ')}`] : []),
      ...(this.removes.length > 0 ? [`REMOVE ${this.removes.join(', ')}`] : []),
    ].join(' ');
  }

  input(): { UpdateExpression: string; ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
    return {
      UpdateExpression: this.update(),
      ConditionExpression: this.conditions.join(' AND '),
      ExpressionAttributeNames: this.names,
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

/**
 * Applies `change` to the existing profile of `userId`. The weekly schedule's index keys
 * follow from `reportsPaused` and `timeZone` together; when a change sets only one of
 * them, the update is conditioned on the stored value of the other (the one read just
 * before), and read again and retried if another writer changed it meanwhile.
 *
 * @returns the profile after the change; undefined when there is no such user.
 */
export async function updateUser(
  doc: Doc,
  tableName: string,
  userId: string,
  change: UserChange,
  canonicalZone: (zone: string) => string,
): Promise<User | undefined> {
  const key = { pk: userPk(userId), sk: SK_PROFILE };
  for (let attempt = 0; attempt < USER_UPDATE_ATTEMPTS; attempt += 1) {
    const read = await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    if (read.Item === undefined) return undefined;
    const current = read.Item as User;
    const set = definedEntries(change.set ?? {});
    const next = { ...current, ...Object.fromEntries(set) } as User;
    for (const attribute of change.remove ?? []) delete next[attribute];

    const e = new Expression();
    for (const [attribute, value] of set) e.set(attribute, value);
    for (const attribute of change.remove ?? []) e.remove(attribute);
    const { gsi1 } = TABLE_KEYS;
    if (next.reportsPaused) {
      e.remove(gsi1.partitionKey);
      e.remove(gsi1.sortKey);
    } else {
      e.set(gsi1.partitionKey, `${GSI_WEEKLY_PREFIX}${canonicalZone(next.timeZone)}`);
      e.set(gsi1.sortKey, userId);
    }
    e.conditions.push(`attribute_exists(${e.name('pk')})`);
    if (change.set?.reportsPaused === undefined) e.conditions.push(`${e.name('reportsPaused')} = ${e.value(current.reportsPaused)}`);
    if (change.set?.timeZone === undefined && !next.reportsPaused) e.conditions.push(`${e.name('timeZone')} = ${e.value(current.timeZone)}`);
    try {
      await doc.send(new UpdateCommand({ TableName: tableName, Key: key, ...e.input() }));
      return next;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  throw new StoreError(`updateUser: the profile kept changing during ${USER_UPDATE_ATTEMPTS} attempts; retry`);
}

/**
 * Applies `change` to an existing account, keeping the sync schedule's index keys in step
 * with `status` and the last sign of progress (`progressAt`, else `lastSyncAt`, as
 * schema.ts's `accountScheduleKey`). Never creates the account.
 */
export async function updateAccount(
  doc: Doc,
  tableName: string,
  userId: string,
  accountId: string,
  change: AccountChange,
): Promise<AccountChangeResult> {
  const key = { pk: userPk(userId), sk: `${SK_ACCOUNT_PREFIX}${accountId}` };
  const e = new Expression();
  const set = definedEntries(change.set ?? {});
  for (const [attribute, value] of set) e.set(attribute, value);
  for (const attribute of change.remove ?? []) e.remove(attribute);
  if (change.set?.status !== undefined) e.set(TABLE_KEYS.gsi1.partitionKey, `${GSI_SYNC_PREFIX}${change.set.status}`);
  const scheduleKey = change.set?.progressAt ?? change.set?.lastSyncAt;
  if (scheduleKey !== undefined) e.set(TABLE_KEYS.gsi1.sortKey, scheduleKey);
  e.conditions.push(`attribute_exists(${e.name('pk')})`);
  if (change.expectCursors !== undefined) {
    const cursors = e.name('cursors');
    const expected = Object.entries(change.expectCursors);
    const count = e.value(expected.length);
    e.conditions.push(expected.length === 0 ? `(attribute_not_exists(${cursors}) OR size(${cursors}) = ${count})` : `size(${cursors}) = ${count}`);
    for (const [resource, cursor] of expected) e.conditions.push(`${cursors}.${e.name(resource)} = ${e.value(cursor)}`);
  }
  if (e.sets.length === 0 && e.removes.length === 0) {
    throw new StoreError(`updateAccount ${accountId}: the change names no attribute`);
  }
  try {
    await doc.send(new UpdateCommand({ TableName: tableName, Key: key, ...e.input() }));
    return 'updated';
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const found = await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true, ProjectionExpression: 'pk' }));
  return found.Item === undefined ? 'gone' : 'superseded';
}

/** Sets a count kept on an existing account (skip records); nothing when it is gone. */
export async function setAccountCount(doc: Doc, tableName: string, userId: string, accountId: string, attribute: 'skippedItems', value: number): Promise<void> {
  const e = new Expression();
  e.set(attribute, value);
  e.conditions.push(`attribute_exists(${e.name('pk')})`);
  try {
    await doc.send(new UpdateCommand({ TableName: tableName, Key: { pk: userPk(userId), sk: `${SK_ACCOUNT_PREFIX}${accountId}` }, ...e.input() }));
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

function definedEntries<T extends object>(values: T): Array<[string, unknown]> {
  return Object.entries(values).filter(([, v]) => v !== undefined);
}
