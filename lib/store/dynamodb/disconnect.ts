import { DeleteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InputError, StoreError } from '#lib/errors.ts';
import { BATCH_WRITE_MAX, batchWrite, chunk, mapWithLimit } from './batch.ts';
import type { ItemWriter } from './item-writes.ts';
import { SK_PROFILE, describe, userPk } from './schema.ts';

/**
 * Deleting a person (disconnect), and the person's own writes that can race it.
 *
 * A person's own writes that can race their disconnect (an answer from a link, a note
 * from the notes page) are kept only if the person still exists once written.
 *
 * DynamoDB cannot condition a put on another record, and dynalite has no transactions,
 * so the order does it: `deleteUser` deletes the profile first and then sweeps the
 * partition until a pass finds nothing; a writer puts its record and then reads the
 * profile (strongly consistent). Either the write lands before the sweep's last Query,
 * which deletes it, or it lands after, when the profile is already gone: the writer sees
 * that and deletes its own record. Nothing of the person outlives the disconnect.
 */

/** The person disconnected while the write was made: it was undone. */
export class PersonGoneError extends InputError {
  override name = 'PersonGoneError';
}

/**
 * After a write of `key` into `userId`'s partition: returns when the person still exists,
 * else deletes the record and throws.
 *
 * @throws PersonGoneError when the person's profile is gone (the record is deleted first).
 */
export async function keepIfPersonExists(
  doc: Pick<DynamoDBDocumentClient, 'send'>,
  tableName: string,
  userId: string,
  key: { pk: string; sk: string },
  operation: string,
): Promise<void> {
  try {
    const profile = await doc.send(
      new GetCommand({ TableName: tableName, Key: { pk: userPk(userId), sk: SK_PROFILE }, ConsistentRead: true, ProjectionExpression: 'pk' }),
    );
    if (profile.Item !== undefined) return;
    await doc.send(new DeleteCommand({ TableName: tableName, Key: key }));
  } catch (error) {
    throw new StoreError(`${operation} on table ${tableName}: checking the person still exists failed: ${describe(error)}`, { cause: error });
  }
  throw new PersonGoneError(`${operation}: the person disconnected meanwhile; nothing was kept`);
}

/** Passes over the partition before giving up on writes that keep coming (a live sync). */
const DELETE_PASSES = 3;

/**
 * Deletes everything in the person's partition, the profile first (see above), then
 * pass after pass until one finds nothing. Returns how many records it deleted.
 *
 * @throws StoreError when records still appear after {@link DELETE_PASSES} passes.
 */
export async function deletePerson(w: ItemWriter, userId: string): Promise<number> {
  const profile = await w.doc.send(
    new DeleteCommand({ TableName: w.tableName, Key: { pk: userPk(userId), sk: SK_PROFILE }, ReturnValues: 'ALL_OLD' }),
  );
  let deleted = profile.Attributes === undefined ? 0 : 1;
  for (let pass = 0; pass < DELETE_PASSES; pass += 1) {
    let found = 0;
    const pages = w.queryPages('deleteUser', {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': userPk(userId) },
      ProjectionExpression: 'pk, sk',
      ConsistentRead: true,
    });
    for await (const page of pages) {
      found += page.length;
      const deletes = page.map((r) => ({ DeleteRequest: { Key: { pk: r.pk as string, sk: r.sk as string } } }));
      await mapWithLimit(chunk(deletes, BATCH_WRITE_MAX), w.concurrency, (part) => batchWrite(w.doc, w.tableName, part, w.retry));
    }
    deleted += found;
    if (found === 0) return deleted;
  }
  throw new StoreError(`deleteUser: items kept appearing after ${DELETE_PASSES} passes; stop the user's sync and retry`);
}
