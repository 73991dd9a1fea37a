import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { PersonGoneError } from '#lib/store/dynamodb/disconnect.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import type { User } from '#lib/store/types.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { mails } from './items.ts';

/**
 * A disconnect deletes everything of the person (DESIGN section 8, issue 10), and a write
 * of theirs racing it (an answer from a link, a note from the notes page) must not outlive
 * it: deleteUser deletes the profile first, and such a write checks the person still
 * exists once written (lib/store/dynamodb/disconnect.ts).
 */

const person = (userId: string): User => ({
  userId, email: `${userId}@example.com`, timeZone: 'Europe/Paris', me: [], internalDomains: [], reportsPaused: false, createdAt: '2026-01-01T00:00:00.000Z',
});

describe('writes racing a disconnect (dynalite)', () => {
  let db: TestDynamo;
  let store: DynamoStore;
  const sent: Array<{ command: string; sk?: string }> = [];
  /** Every record of the partition, read raw. */
  const partition = async (userId: string) =>
    (await db.client.send(new QueryCommand({ TableName: db.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `USER#${userId}` }, ConsistentRead: true }))).Items ?? [];

  beforeAll(async () => {
    db = await startTestDynamo();
    store = db.store();
    db.client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = (args as { input: { Key?: { sk?: unknown } } }).input;
        const sk = input.Key?.sk;
        sent.push({ command: context.commandName ?? '', ...(typeof sk === 'string' ? { sk } : {}) });
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
  });
  afterAll(async () => {
    await db.close();
  });

  it('deletes the profile before sweeping the partition, and counts it', async () => {
    await store.putUser(person('order'));
    await store.putItems('order', mails(5));
    sent.length = 0;
    expect(await store.deleteUser('order')).toBe(6);
    expect(sent[0]).toEqual({ command: 'DeleteItemCommand', sk: 'PROFILE' });
    expect(await partition('order')).toEqual([]);
  });

  it('takes back an answer from a link written after the sweep, and says why', async () => {
    await store.putUser(person('answer'));
    await store.putFeedback('answer', { contact: 'ann@acme.com', action: 'fine', at: '2026-11-01T00:00:00.000Z' });
    expect(await store.listFeedback('answer')).toHaveLength(1);
    await store.deleteUser('answer');
    // The page's request was in flight: its put lands after the last pass.
    const late = store.putFeedback('answer', { contact: 'ann@acme.com', action: 'mute', at: '2026-11-01T00:00:01.000Z' });
    await expect(late).rejects.toBeInstanceOf(PersonGoneError);
    await expect(late).rejects.toThrow('putFeedback: the person disconnected meanwhile; nothing was kept');
    expect(await partition('answer')).toEqual([]);
  });

  it('takes back a note created or edited after the sweep', async () => {
    await store.putUser(person('noted'));
    const note = { noteId: 'note-0001', contact: 'ann@acme.com', at: '2026-11-01T00:00:00.000Z', sealed: 'sealed-text' };
    expect(await store.notes.create('noted', note)).toBe(true);
    await store.deleteUser('noted');
    await expect(store.notes.create('noted', { ...note, noteId: 'note-0002' })).rejects.toBeInstanceOf(PersonGoneError);
    expect(await partition('noted')).toEqual([]);
    // An edit of a note the sweep already deleted finds nothing to replace.
    expect(await store.notes.replace('noted', note)).toBe(false);
    expect(await partition('noted')).toEqual([]);
  });

  it('keeps answers and notes of a person who is still there', async () => {
    await store.putUser(person('stays'));
    await store.putFeedback('stays', { contact: 'ann@acme.com', action: 'fine', at: '2026-11-01T00:00:00.000Z' });
    expect(await store.notes.create('stays', { noteId: 'note-0003', contact: 'ann@acme.com', at: '2026-11-01T00:00:00.000Z', sealed: 's' })).toBe(true);
    expect((await partition('stays')).map((r) => r.sk).sort()).toEqual(['FEEDBACK#ann@acme.com', 'NOTE#note-0003', 'PROFILE']);
  });
});
