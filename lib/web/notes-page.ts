import { MAX_NOTE_CHARS, noteHtml } from '#lib/notes/text.ts';
import type { Note } from '#lib/notes/notes.ts';
import { escapeText, page } from './links-pages.ts';

/**
 * The notes page of one contact (DESIGN section 9): the person's notes on them, newest
 * first, each with its edit and delete form, and a form to add one. No script: editing
 * opens with `<details>`, so the page works under the links' script-less CSP. Every note
 * is shown through lib/notes/text.ts `noteHtml`, escaped.
 */

interface NotesPageInput {
  contact: string;
  notes: readonly Note[];
  /** The person's time zone, for the dates. */
  timeZone: string;
  /** Where every form posts: the link itself. */
  postUrl: string;
  /** The per-form token bound to this link (lib/web/notes-app.ts). */
  formToken: string;
  /** What the last POST did, or why it was refused. */
  status?: { kind: 'done' | 'error'; message: string };
  /** The text of an add that was refused, so nothing typed is lost. */
  draft?: string;
}

const NOTES_STYLE = `
h2{font-size:1.05rem;margin:1.5rem 0 .5rem}
textarea{font:inherit;width:100%;min-height:6rem;padding:.6rem .75rem;border:1px solid #cbd2d9;border-radius:8px;margin:0 0 .5rem;resize:vertical}
.notes{list-style:none;padding:0;margin:0}
.note{border-top:1px solid #e4e7eb;padding:.9rem 0}
.note .text{margin:0 0 .35rem;overflow-wrap:anywhere;white-space:normal}
.note form{margin:.5rem 0 0}
.note .row{display:flex;gap:.5rem;flex-wrap:wrap;align-items:center}
summary{cursor:pointer;color:#3b5bdb;font-weight:600}
.status{border-radius:8px;padding:.6rem .75rem;margin:0 0 1rem}
.status.done{background:#ebfbee;color:#2b8a3e}
.status.error{background:#fff5f5;color:#c92a2a}
`;

/** The whole notes page. */
export function notesPage(input: NotesPageInput): { title: string; html: string } {
  const { contact, notes } = input;
  const title = `Notes on ${contact}`;
  const status = input.status ? `<p class="status ${input.status.kind}" role="status">${escapeText(input.status.message)}</p>` : '';
  const add =
    `<form method="post" action="${escapeText(input.postUrl)}">${hidden('op', 'add')}${hidden('form', input.formToken)}` +
    `<label for="new-note">New note</label>` +
    `<textarea id="new-note" name="text" maxlength="${MAX_NOTE_CHARS}" required rows="4" ` +
    `placeholder="What you want to remember next time you meet">${escapeText(input.draft ?? '')}</textarea>` +
    `<button type="submit">Add note</button></form>`;
  const list =
    notes.length === 0
      ? '<p class="muted">No notes on this person yet.</p>'
      : `<h2>${notes.length === 1 ? '1 note' : `${notes.length} notes`}, newest first</h2><ul class="notes">${notes.map((n) => noteItem(n, input)).join('')}</ul>`;
  const body =
    `<h1>Notes on <span class="who">${escapeText(contact)}</span></h1>` +
    `<p class="muted">Only you see these: never shared with colleagues, encrypted at rest, deleted when you disconnect. ` +
    `Plain text, at most ${MAX_NOTE_CHARS.toLocaleString('en-US')} characters a note.</p>` +
    `${status}${add}${list}`;
  return { title, html: page(title, body, NOTES_STYLE) };
}

function noteItem(note: Note, input: NotesPageInput): string {
  const action = escapeText(input.postUrl);
  const fields = (op: string): string => `${hidden('op', op)}${hidden('id', note.id)}${hidden('form', input.formToken)}`;
  return (
    `<li class="note" id="note-${escapeText(note.id)}"><p class="text">${noteHtml(note.text)}</p>` +
    `<p class="muted">${escapeText(when(note.at, input.timeZone))}</p>` +
    `<div class="row"><details><summary>Edit</summary><form method="post" action="${action}">${fields('edit')}` +
    `<label for="edit-${escapeText(note.id)}">Edit this note</label>` +
    `<textarea id="edit-${escapeText(note.id)}" name="text" maxlength="${MAX_NOTE_CHARS}" required rows="4">${escapeText(note.text)}</textarea>` +
    `<button type="submit">Save</button></form></details>` +
    `<form method="post" action="${action}">${fields('delete')}<button type="submit" class="secondary">Delete</button></form></div></li>`
  );
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${name}" value="${escapeText(value)}">`;
}

/** When a note was last edited, as its owner reads it. */
function when(iso: string, timeZone: string): string {
  const f = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone });
  return `Last edited ${f.format(new Date(iso))}`;
}
