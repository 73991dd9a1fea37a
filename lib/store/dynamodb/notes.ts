import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NoteStore, StoredNote } from '#lib/store/types.ts';
import { InputError, SinewError, StoreError } from '#lib/errors.ts';
import { keepIfPersonExists } from './disconnect.ts';
import { SK_NOTE_PREFIX, describe, userPk } from './schema.ts';

/**
 * Personal notes on DynamoDB: one record per note in the person's own partition,
 * `pk = USER#<userId>`, `sk = NOTE#<noteId>`, holding the contact (plain, the lookup key),
 * the time of the last edit and the sealed text; never a plaintext note (lib/notes seals
 * it before it gets here). Writes are conditional, so an edit racing a delete or a
 * disconnect never brings the note back, and an edit never moves a note to another
 * contact. deleteUser deletes them with the whole partition; a note written while it runs
 * is taken back (lib/store/dynamodb/disconnect.ts).
 */

type Doc = Pick<DynamoDBDocumentClient, 'send'>;

/** Random ids of lib/notes: base64url, bounded so a key never grows past reason. */
const NOTE_ID = /^[A-Za-z0-9_-]{8,64}$/;

export class DynamoNoteStore implements NoteStore {
  constructor(
    private readonly doc: Doc,
    private readonly tableName: string,
  ) {}

  async create(userId: string, note: StoredNote): Promise<boolean> {
    const written = await this.conditional('createNote', () =>
      this.doc.send(
        new PutCommand({ TableName: this.tableName, Item: record(userId, note), ConditionExpression: 'attribute_not_exists(pk)' }),
      ),
    );
    // A note posted as the person disconnects is not kept (disconnect.ts).
    if (written) await keepIfPersonExists(this.doc, this.tableName, userId, key(userId, note.noteId), 'createNote');
    return written;
  }

  async replace(userId: string, note: StoredNote): Promise<boolean> {
    const written = await this.conditional('replaceNote', () =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record(userId, note),
          ConditionExpression: 'attribute_exists(pk) AND contact = :contact',
          ExpressionAttributeValues: { ':contact': note.contact },
        }),
      ),
    );
    if (written) await keepIfPersonExists(this.doc, this.tableName, userId, key(userId, note.noteId), 'replaceNote');
    return written;
  }

  async get(userId: string, noteId: string): Promise<StoredNote | undefined> {
    checkId(noteId);
    try {
      const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key(userId, noteId), ConsistentRead: true }));
      return out.Item === undefined ? undefined : fromRecord(out.Item);
    } catch (error) {
      throw failure('getNote', this.tableName, error);
    }
  }

  async list(userId: string, contact?: string): Promise<StoredNote[]> {
    const notes: StoredNote[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const out = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ...(contact === undefined ? {} : { FilterExpression: 'contact = :contact' }),
            ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': SK_NOTE_PREFIX, ...(contact === undefined ? {} : { ':contact': contact }) },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        notes.push(...(out.Items ?? []).map(fromRecord));
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
    } catch (error) {
      throw failure('listNotes', this.tableName, error);
    }
    return notes;
  }

  async delete(userId: string, noteId: string, contact?: string): Promise<boolean> {
    checkId(noteId);
    return this.conditional('deleteNote', () =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key(userId, noteId),
          ConditionExpression: contact === undefined ? 'attribute_exists(pk)' : 'attribute_exists(pk) AND contact = :contact',
          ...(contact === undefined ? {} : { ExpressionAttributeValues: { ':contact': contact } }),
        }),
      ),
    );
  }

  /** Runs a conditional write: true when it was applied, false when its condition did not hold. */
  private async conditional(operation: string, send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw failure(operation, this.tableName, error);
    }
  }
}

function key(userId: string, noteId: string): { pk: string; sk: string } {
  return { pk: userPk(userId), sk: `${SK_NOTE_PREFIX}${noteId}` };
}

function record(userId: string, note: StoredNote): Record<string, unknown> {
  checkId(note.noteId);
  return { ...key(userId, note.noteId), noteId: note.noteId, contact: note.contact, at: note.at, sealed: note.sealed };
}

function fromRecord(r: Record<string, unknown>): StoredNote {
  return { noteId: String(r.noteId), contact: String(r.contact), at: String(r.at), sealed: String(r.sealed) };
}

function checkId(noteId: string): void {
  if (!NOTE_ID.test(noteId)) throw new InputError(`a note id is 8 to 64 letters, digits, '-' or '_' (got ${JSON.stringify(noteId.slice(0, 80))})`);
}

function failure(operation: string, tableName: string, error: unknown): SinewError {
  if (error instanceof SinewError) return error;
  return new StoreError(`${operation} on table ${tableName} failed: ${describe(error)}`, { cause: error });
}
