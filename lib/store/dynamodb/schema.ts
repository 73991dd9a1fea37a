import {
  CreateTableCommand,
  ResourceInUseException,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { StoreError } from '#lib/errors.ts';

/**
 * The single-table layout (DESIGN section 2). Every partition key starts with the owning
 * user, so no Query can cross users:
 *
 * | pk              | sk                                  | what                          |
 * | --------------- | ----------------------------------- | ----------------------------- |
 * | `USER#<userId>` | `PROFILE`                           | the User                      |
 * | `USER#<userId>` | `ACCOUNT#<accountId>`               | an Account (token, cursors)   |
 * | `USER#<userId>` | `ITEM#<accountId>#<providerId>`     | a MailItem or MeetingItem     |
 * | `USER#<userId>` | `FEEDBACK#<contact>`                | the latest answer per contact |
 * | `USER#<userId>` | `FEEDBACK#<contact>#sharing`        | its latest sharing answer     |
 * | `USER#<userId>` | `REPORT#<YYYY-Www>`                 | a weekly JSON report (gzip)   |
 * | `USER#<userId>` | `SEND#<key>`                        | claim/receipt of one email    |
 * | `USER#<userId>` | `SKIPPED#<accountId>#<providerId>`  | an item too large to store    |
 * | `USER#<userId>` | `NOTE#<noteId>`                     | a personal note (text sealed) |
 *
 * The one exception to "every key starts with the owning user" is the opt-in team index
 * (DESIGN section 10, team-index.ts): `TEAM#<account>` and `TEAMBY#<userId>` partitions,
 * holding only what sharers publish.
 *
 * GSI `gsi1` (keys only, sparse: only accounts and unpaused profiles carry its keys, so
 * ingesting an item writes the base table only):
 * - accounts due for sync: `gsi1pk = SYNC#<status>`, `gsi1sk = <progressAt, else lastSyncAt, else 0>`
 *   ({@link accountScheduleKey});
 * - users by report time zone: `gsi1pk = WEEKLY#<canonical timeZone>`, `gsi1sk = <userId>`.
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL deletes raw items HISTORY_DAYS after their time. */
  ttlAttribute: 'ttl',
  gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

export const SK_PROFILE = 'PROFILE';
export const SK_ACCOUNT_PREFIX = 'ACCOUNT#';
export const SK_ITEM_PREFIX = 'ITEM#';
export const SK_FEEDBACK_PREFIX = 'FEEDBACK#';
export const SK_REPORT_PREFIX = 'REPORT#';
export const SK_SEND_PREFIX = 'SEND#';
export const SK_SKIPPED_PREFIX = 'SKIPPED#';
export const SK_NOTE_PREFIX = 'NOTE#';
export const GSI_SYNC_PREFIX = 'SYNC#';
export const GSI_WEEKLY_PREFIX = 'WEEKLY#';

/**
 * The schedule index's sort key of an account: its last sign of progress. For an `active`
 * account that is when its last sync ended (the engine's last checkpoint sets `progressAt`
 * and `lastSyncAt` together), so `active` accounts are due by their last sync; for a
 * `syncing` one it is its run's last checkpoint, so the dispatcher reclaims only a run
 * that stopped moving. `'0'` sorts before any ISO time: never-synced accounts come first.
 */
export function accountScheduleKey(account: { progressAt?: string; lastSyncAt?: string }): string {
  return account.progressAt ?? account.lastSyncAt ?? '0';
}

/** Partition key of everything a user owns. */
export function userPk(userId: string): string {
  return `USER#${userId}`;
}

/** Inverse of {@link userPk}. */
export function userIdFromPk(pk: string): string {
  return pk.slice('USER#'.length);
}

/**
 * The CreateTable input for the Sinew table: used by {@link createTable} locally and
 * mirrored by the CDK construct (which adds PITR, KMS and the TTL attribute).
 */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, gsi1 } = TABLE_KEYS;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: partitionKey, AttributeType: 'S' },
      { AttributeName: sortKey, AttributeType: 'S' },
      { AttributeName: gsi1.partitionKey, AttributeType: 'S' },
      { AttributeName: gsi1.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: gsi1.indexName,
        KeySchema: [
          { AttributeName: gsi1.partitionKey, KeyType: 'HASH' },
          { AttributeName: gsi1.sortKey, KeyType: 'RANGE' },
        ],
        // The schedulers only need who is due; they load the record by its key after.
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
  };
}

/**
 * Create the table if it does not exist and wait until it is active. For local mode and
 * tests; in AWS the CDK stack owns the table. TTL is not enabled here: dynalite has no
 * UpdateTimeToLive, and locally nothing expires.
 */
export async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) {
      throw new StoreError(`createTable ${tableName} failed: ${describe(error)}`, { cause: error });
    }
  }
  try {
    await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1 }, { TableName: tableName });
  } catch (error) {
    throw new StoreError(`table ${tableName} did not become active: ${describe(error)}`, { cause: error });
  }
}

/** `Name: message` of an unknown thrown value, for error messages. */
export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
