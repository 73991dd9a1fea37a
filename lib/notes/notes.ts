import { randomBytes } from 'node:crypto';
import { InputError, StoreError } from '#lib/errors.ts';
import { normalizeAddress } from '#lib/items/normalize.ts';
import type { TokenVault } from '#lib/connect/token-vault.ts';
import type { Store, StoredNote } from '#lib/store/types.ts';
import { checkNoteText, firstLine } from './text.ts';

/**
 * Personal notes (DESIGN section 9, seed 002 "getting personal"): free text a person
 * keeps about a contact, added, edited and deleted with the CLI or the notes page, shown
 * newest first in the brief and, by its first line, in the weekly email.
 *
 * The text is sealed here with the token vault (KMS envelope in AWS, the local master key
 * locally) under the context `{ purpose: 'note', userId, noteId }` before the store sees
 * it: a sealed note copied onto another person's or another note's record does not open.
 * The sealed payload repeats the contact, checked on opening, so a note moved to another
 * contact's name does not open either. Nothing here logs, and no error carries a note's text.
 */

/** A note as its owner reads it. */
export interface Note {
  /** Random (96 bits, base64url): never derived from the text or the contact. */
  id: string;
  /** The normalized address the note is about. */
  contact: string;
  /** The last edit (ISO). */
  at: string;
  /** Plain text, at most 2,000 characters (lib/notes/text.ts); escape it wherever it is shown. */
  text: string;
}

/** A note as the brief shows it (the brief's `BriefNote`, lib/brief/schema.ts). */
type NoteView = Pick<Note, 'id' | 'at' | 'text'>;

export interface NotesDeps {
  store: Pick<Store, 'notes'>;
  vault: TokenVault;
  /** The clock: a note's `at` is the time of its last edit. */
  now: () => Date;
}

/** No note with that id for this person (and contact, when one is named): deleted, or never theirs. */
export class NoteNotFoundError extends InputError {
  override name = 'NoteNotFoundError';
}

/** The encryption context of one note: binds the sealed text to its person and its note. */
export function noteContext(userId: string, noteId: string): Record<string, string> {
  return { purpose: 'note', userId, noteId };
}

/**
 * Adds a note about `contact`.
 * @throws InputError for an address that is not one, an empty note, or one over 2,000 characters (nothing stored).
 */
export async function addNote(deps: NotesDeps, userId: string, contact: string, text: string): Promise<Note> {
  const note: Note = { id: newNoteId(), contact: contactAddress(contact), at: deps.now().toISOString(), text: checkNoteText(text) };
  if (!(await deps.store.notes.create(userId, await seal(deps.vault, userId, note)))) {
    throw new StoreError('a note with this random id exists already; add it again');
  }
  return note;
}

/**
 * Replaces a note's text (its `at` becomes now). With `contact`, only a note about that
 * contact is edited (the notes page: a link for one contact never touches another's).
 * @throws NoteNotFoundError when there is no such note (of that contact); InputError for a bad text.
 */
export async function editNote(deps: NotesDeps, userId: string, noteId: string, text: string, contact?: string): Promise<Note> {
  const checked = checkNoteText(text);
  const stored = await deps.store.notes.get(userId, noteId);
  if (!stored || (contact !== undefined && stored.contact !== contactAddress(contact))) throw notFound(noteId);
  const note: Note = { id: noteId, contact: stored.contact, at: deps.now().toISOString(), text: checked };
  if (!(await deps.store.notes.replace(userId, await seal(deps.vault, userId, note)))) throw notFound(noteId);
  return note;
}

/**
 * Deletes a note (with `contact`, only one about that contact).
 * @throws NoteNotFoundError when there is no such note (of that contact).
 */
export async function deleteNote(deps: Pick<NotesDeps, 'store'>, userId: string, noteId: string, contact?: string): Promise<void> {
  const deleted = await deps.store.notes.delete(userId, noteId, contact === undefined ? undefined : contactAddress(contact));
  if (!deleted) throw notFound(noteId);
}

/** Every note of the person, or of one contact, opened, newest first (one vault open per note). */
export async function listNotes(deps: Pick<NotesDeps, 'store' | 'vault'>, userId: string, contact?: string): Promise<Note[]> {
  const stored = await deps.store.notes.list(userId, contact === undefined ? undefined : contactAddress(contact));
  return Promise.all(newestFirst(stored).map((s) => open(deps.vault, userId, s)));
}

/**
 * The notes the brief takes: normalized address -> notes newest first. With `contacts`,
 * only theirs are opened (in AWS each open is one KMS Decrypt); contacts without notes are absent.
 */
export async function notesByContact(
  deps: Pick<NotesDeps, 'store' | 'vault'>,
  userId: string,
  contacts?: Iterable<string>,
): Promise<Map<string, NoteView[]>> {
  const wanted = contacts === undefined ? undefined : addressSet(contacts);
  const stored = (await deps.store.notes.list(userId)).filter((s) => wanted === undefined || wanted.has(s.contact));
  const opened = await Promise.all(newestFirst(stored).map((s) => open(deps.vault, userId, s)));
  const byContact = new Map<string, NoteView[]>();
  for (const n of opened) {
    const list = byContact.get(n.contact) ?? [];
    list.push({ id: n.id, at: n.at, text: n.text });
    byContact.set(n.contact, list);
  }
  return byContact;
}

/**
 * For the weekly email: normalized address -> the first line of that contact's newest
 * note (lib/notes/text.ts `firstLine`). Opens only one note per contact asked about.
 */
export async function newestNoteLines(deps: Pick<NotesDeps, 'store' | 'vault'>, userId: string, contacts: Iterable<string>): Promise<Map<string, string>> {
  const wanted = addressSet(contacts);
  const newest = new Map<string, StoredNote>();
  for (const s of newestFirst(await deps.store.notes.list(userId))) {
    if (wanted.has(s.contact) && !newest.has(s.contact)) newest.set(s.contact, s);
  }
  const lines = new Map<string, string>();
  for (const s of newest.values()) {
    const line = firstLine((await open(deps.vault, userId, s)).text);
    if (line !== '') lines.set(s.contact, line);
  }
  return lines;
}

/** The first line of the newest note about one contact, or undefined when there is none. */
export async function newestNoteLine(deps: Pick<NotesDeps, 'store' | 'vault'>, userId: string, contact: string): Promise<string | undefined> {
  const address = contactAddress(contact);
  return (await newestNoteLines(deps, userId, [address])).get(address);
}

/** Newest first by last edit; ties by id, so the order is the same on every read. */
function newestFirst(notes: readonly StoredNote[]): StoredNote[] {
  return [...notes].sort((a, b) => (a.at === b.at ? (a.noteId < b.noteId ? -1 : 1) : a.at < b.at ? 1 : -1));
}

async function seal(vault: TokenVault, userId: string, note: Note): Promise<StoredNote> {
  const sealed = await vault.seal(JSON.stringify({ c: note.contact, t: note.text }), noteContext(userId, note.id));
  return { noteId: note.id, contact: note.contact, at: note.at, sealed };
}

async function open(vault: TokenVault, userId: string, stored: StoredNote): Promise<Note> {
  const payload = JSON.parse(await vault.open(stored.sealed, noteContext(userId, stored.noteId))) as { c?: unknown; t?: unknown };
  if (payload.c !== stored.contact || typeof payload.t !== 'string') {
    throw new StoreError(`note ${stored.noteId} does not open: it was sealed for another contact`);
  }
  return { id: stored.noteId, contact: stored.contact, at: stored.at, text: payload.t };
}

function newNoteId(): string {
  return randomBytes(12).toString('base64url');
}

function contactAddress(raw: string): string {
  const address = normalizeAddress(raw);
  if (!address) throw new InputError(`a note is about a contact's email address, such as ann@acme.com (got ${JSON.stringify(raw.slice(0, 80))})`);
  return address;
}

function addressSet(contacts: Iterable<string>): Set<string> {
  const set = new Set<string>();
  for (const c of contacts) {
    const a = normalizeAddress(c);
    if (a) set.add(a);
  }
  return set;
}

function notFound(noteId: string): NoteNotFoundError {
  return new NoteNotFoundError(`there is no note ${noteId} here: it was deleted, or it is about someone else`);
}
