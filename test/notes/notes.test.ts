import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { InputError, StoreError } from '#lib/errors.ts';
import { disconnectUser } from '#lib/links/disconnect.ts';
import { addNote, deleteNote, editNote, listNotes, newestNoteLine, newestNoteLines, NoteNotFoundError, notesByContact, type NotesDeps } from '#lib/notes/notes.ts';
import { MAX_NOTE_CHARS } from '#lib/notes/text.ts';
import { SK_NOTE_PREFIX, userPk } from '#lib/store/dynamodb/schema.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { aUser, anAccount } from '#test/links/fixtures.ts';
import { partition } from '#test/links/partition.ts';

const T0 = Date.UTC(2026, 10, 23, 9);
const MINUTE = 60_000;
const ANN = 'ann@acme.com';
const BOB = 'bob@beta.io';
const SECRET_TEXT = 'daughter starts university in September; prefers calls before 10';

let db: TestDynamo;
let store: DynamoStore;
let vault: LocalKeyVault;
let clock: number;
let userId: string;
let n = 0;

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
  vault = LocalKeyVault.fromKey(Buffer.alloc(32, 7));
});
afterAll(async () => db.close());
beforeEach(async () => {
  n += 1;
  userId = `u-notes-${n}`;
  clock = T0;
  await store.putUser(aUser(userId));
});

function deps(): NotesDeps {
  return { store, vault, now: () => new Date(clock) };
}

/** Every raw attribute value of the user's partition as one string (what DynamoDB holds). */
async function rawPartition(user = userId): Promise<string> {
  return JSON.stringify(await partition(db, user));
}

async function rawNoteItems(user = userId): Promise<Array<Record<string, unknown>>> {
  return (await partition(db, user)).filter((r) => r.sk?.S?.startsWith(SK_NOTE_PREFIX));
}

describe('add, list, edit, delete', () => {
  it('lists a person\'s notes newest first, all or one contact\'s, and an edit moves a note to the top', async () => {
    const first = await addNote(deps(), userId, 'Ann Lee <Ann@ACME.com>', 'first about Ann');
    clock += MINUTE;
    const bob = await addNote(deps(), userId, BOB, 'about Bob');
    clock += MINUTE;
    const second = await addNote(deps(), userId, ANN, 'second about Ann');
    expect(first.contact).toBe(ANN);
    expect((await listNotes(deps(), userId)).map((x) => x.text)).toStrictEqual(['second about Ann', 'about Bob', 'first about Ann']);
    expect((await listNotes(deps(), userId, ANN)).map((x) => x.id)).toStrictEqual([second.id, first.id]);

    clock += MINUTE;
    const edited = await editNote(deps(), userId, first.id, 'first about Ann, edited');
    expect(edited).toStrictEqual({ id: first.id, contact: ANN, at: new Date(clock).toISOString(), text: 'first about Ann, edited' });
    expect((await listNotes(deps(), userId, ANN)).map((x) => x.text)).toStrictEqual(['first about Ann, edited', 'second about Ann']);

    await deleteNote(deps(), userId, bob.id);
    expect((await listNotes(deps(), userId)).map((x) => x.contact)).toStrictEqual([ANN, ANN]);
    await expect(deleteNote(deps(), userId, bob.id)).rejects.toThrow(NoteNotFoundError);
  });

  it('ids are random: the same text twice gets two unrelated ids', async () => {
    const a = await addNote(deps(), userId, ANN, SECRET_TEXT);
    const b = await addNote(deps(), userId, ANN, SECRET_TEXT);
    expect(a.id).not.toBe(b.id);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const other = `u-notes-other-${n}`;
    await store.putUser(aUser(other)); // notes are kept only for a person who exists
    const c = await addNote(deps(), other, ANN, SECRET_TEXT);
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
  });

  it('an edit or delete bound to a contact does not touch another contact\'s note, nor another person\'s', async () => {
    const bobs = await addNote(deps(), userId, BOB, 'about Bob');
    await expect(editNote(deps(), userId, bobs.id, 'hijacked', ANN)).rejects.toThrow(NoteNotFoundError);
    await expect(deleteNote(deps(), userId, bobs.id, ANN)).rejects.toThrow(NoteNotFoundError);
    const other = `u-notes-other-${n}`;
    await store.putUser(aUser(other)); // notes are kept only for a person who exists
    await expect(editNote(deps(), other, bobs.id, 'hijacked')).rejects.toThrow(NoteNotFoundError);
    await expect(deleteNote(deps(), other, bobs.id)).rejects.toThrow(NoteNotFoundError);
    expect(await listNotes(deps(), userId)).toMatchObject([{ id: bobs.id, contact: BOB, text: 'about Bob' }]);
  });

  it('an edit of a note deleted meanwhile does not bring it back', async () => {
    const note = await addNote(deps(), userId, ANN, 'soon gone');
    const racing: NotesDeps = {
      ...deps(),
      store: { notes: Object.assign(Object.create(store.notes) as typeof store.notes, {
        get: async (u: string, id: string) => {
          const found = await store.notes.get(u, id);
          await store.notes.delete(u, id);
          return found;
        },
      }) },
    };
    await expect(editNote(racing, userId, note.id, 'back?')).rejects.toThrow(NoteNotFoundError);
    expect(await rawNoteItems()).toHaveLength(0);
  });
});

describe('encrypted at rest', () => {
  it('the raw stored item holds no plaintext of the note, only the contact it is about', async () => {
    const note = await addNote(deps(), userId, ANN, SECRET_TEXT);
    const raw = await db.client.send(
      new GetItemCommand({ TableName: db.tableName, Key: { pk: { S: userPk(userId) }, sk: { S: `${SK_NOTE_PREFIX}${note.id}` } }, ConsistentRead: true }),
    );
    expect(Object.keys(raw.Item ?? {}).sort()).toStrictEqual(['at', 'contact', 'noteId', 'pk', 'sealed', 'sk']);
    expect(raw.Item?.contact).toStrictEqual({ S: ANN });
    const all = await rawPartition();
    for (const word of ['daughter', 'university', 'September', 'calls before 10']) expect(all).not.toContain(word);
    // Nor any base64 of it: the sealed value is the vault's envelope, AES-GCM under a fresh data key.
    expect(all).not.toContain(Buffer.from(SECRET_TEXT).toString('base64').slice(0, 16));
    expect(raw.Item?.sealed?.S).toMatch(/^sv1\.local\./);
  });

  it('a sealed note copied onto another note, another person, or another contact does not open', async () => {
    const note = await addNote(deps(), userId, ANN, SECRET_TEXT);
    const victim = await addNote(deps(), userId, ANN, 'mine');
    const sealed = (await store.notes.get(userId, note.id))!.sealed;
    // Onto another note id of the same person.
    await store.notes.replace(userId, { noteId: victim.id, contact: ANN, at: note.at, sealed });
    await expect(listNotes(deps(), userId)).rejects.toThrow(StoreError);
    await store.notes.delete(userId, victim.id);
    // Onto another person, same note id.
    const other = `u-notes-other-${n}`;
    await store.putUser(aUser(other)); // notes are kept only for a person who exists
    await store.notes.create(other, { noteId: note.id, contact: ANN, at: note.at, sealed });
    await expect(listNotes(deps(), other)).rejects.toThrow(StoreError);
    // Moved to another contact's name: the sealed payload names Ann.
    await store.notes.delete(userId, note.id);
    await store.notes.create(userId, { noteId: note.id, contact: BOB, at: note.at, sealed });
    await expect(listNotes(deps(), userId, BOB)).rejects.toThrow(/sealed for another contact/);
  });
});

describe('the 2,000-character limit and empty notes', () => {
  it('over 2,000 characters: a one-line InputError naming the limit and the length, and nothing stored', async () => {
    const long = 'x'.repeat(MAX_NOTE_CHARS + 345);
    const err = await addNote(deps(), userId, ANN, long).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe('a note is at most 2,000 characters; this one has 2,345');
    expect((err as Error).message).not.toContain('\n');
    expect(await rawNoteItems()).toHaveLength(0);
    expect(await rawPartition()).not.toContain('xxxxxxxx');
  });

  it('exactly 2,000 characters is kept whole; an edit past the limit leaves the old text', async () => {
    const full = 'y'.repeat(MAX_NOTE_CHARS);
    const note = await addNote(deps(), userId, ANN, full);
    expect((await listNotes(deps(), userId))[0]!.text).toBe(full);
    await expect(editNote(deps(), userId, note.id, `${full}z`)).rejects.toThrow('a note is at most 2,000 characters; this one has 2,001');
    expect((await listNotes(deps(), userId))[0]!.text).toBe(full);
  });

  it('empty and whitespace-only notes are refused; line breaks are kept, control characters dropped', async () => {
    for (const blank of ['', '   ', '\n\t\r\n']) {
      await expect(addNote(deps(), userId, ANN, blank)).rejects.toThrow('a note cannot be empty');
    }
    expect(await rawNoteItems()).toHaveLength(0);
    const note = await addNote(deps(), userId, ANN, '  line one\r\nline\u0000 two\u0007  ');
    expect(note.text).toBe('line one\nline two');
  });

  it('a contact that is not an address is refused', async () => {
    await expect(addNote(deps(), userId, 'Ann Lee', 'hello')).rejects.toThrow(/email address/);
  });
});

describe('what the brief and the weekly email read', () => {
  it('notesByContact: normalized address -> notes newest first, only the contacts asked for', async () => {
    const a1 = await addNote(deps(), userId, ANN, 'older');
    clock += MINUTE;
    await addNote(deps(), userId, BOB, 'bob');
    clock += MINUTE;
    const a2 = await addNote(deps(), userId, ANN, 'newer\nsecond line');
    const map = await notesByContact(deps(), userId, ['Ann@Acme.com', 'nobody@x.io']);
    expect([...map.keys()]).toStrictEqual([ANN]);
    expect(map.get(ANN)).toStrictEqual([
      { id: a2.id, at: a2.at, text: 'newer\nsecond line' },
      { id: a1.id, at: a1.at, text: 'older' },
    ]);
    expect([...(await notesByContact(deps(), userId)).keys()].sort()).toStrictEqual([ANN, BOB]);
  });

  it('newestNoteLine(s): the first line of the newest note, opening one note per contact', async () => {
    await addNote(deps(), userId, ANN, 'older');
    clock += MINUTE;
    await addNote(deps(), userId, ANN, '\n  prefers calls before 10  \nsecond line');
    let opened = 0;
    const counting = { ...deps(), vault: { seal: vault.seal.bind(vault), open: (s: string, c: Record<string, string>) => ((opened += 1), vault.open(s, c)) } };
    expect(await newestNoteLines(counting, userId, [ANN, BOB])).toStrictEqual(new Map([[ANN, 'prefers calls before 10']]));
    expect(opened).toBe(1);
    expect(await newestNoteLine(deps(), userId, 'ANN@acme.com')).toBe('prefers calls before 10');
    expect(await newestNoteLine(deps(), userId, BOB)).toBeUndefined();
  });
});

describe('disconnect', () => {
  it('deletes every note with the rest of the partition (raw partition snapshot)', async () => {
    await store.putAccount(anAccount(userId, 'files', 'pat@example.com'));
    for (let i = 0; i < 30; i += 1) await addNote(deps(), userId, i % 2 ? ANN : BOB, `note ${i}`);
    const before = await partition(db, userId);
    expect(before.filter((r) => r.sk?.S?.startsWith(SK_NOTE_PREFIX))).toHaveLength(30);
    const other = `u-notes-other-${n}`;
    await store.putUser(aUser(other)); // notes are kept only for a person who exists
    await addNote(deps(), other, ANN, 'someone else keeps theirs');
    const outcome = await disconnectUser(userId, { store, vault });
    expect(outcome.deletedItems).toBe(before.length);
    expect(await partition(db, userId)).toStrictEqual([]);
    expect(await listNotes(deps(), other)).toHaveLength(1);
  });
});
