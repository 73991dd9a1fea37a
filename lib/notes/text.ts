import { InputError } from '#lib/errors.ts';
import { escapeHtml } from '#lib/html.ts';

/**
 * The text of a personal note (DESIGN section 9): plain text, at most
 * {@link MAX_NOTE_CHARS} characters, never empty; and the one way it is shown, escaped, in
 * HTML and in a plain-text part, so every page and email that shows a note (the notes
 * page, the brief, the weekly email) shows it the same safe way.
 */

/**
 * The most a note may hold, counted in UTF-16 code units: what a browser's `maxlength`
 * and the brief JSON schema (`z.string().max(2000)`) count, so the three agree.
 */
export const MAX_NOTE_CHARS = 2000;

/** The longest first line the weekly email shows beside an action; longer ones end with an ellipsis. */
export const NOTE_LINE_CHARS = 140;

// C0 and C1 controls other than tab and newline: nothing a person types into a note.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/**
 * A note's text as it is stored: line breaks made `\n`, other control characters
 * dropped, surrounding white space trimmed.
 *
 * @throws InputError (one line) for an empty note, or one over {@link MAX_NOTE_CHARS}
 *   naming the limit and the length given.
 */
export function checkNoteText(raw: string): string {
  const text = raw.replace(/\r\n?/g, '\n').replace(CONTROLS, '').trim();
  if (text === '') throw new InputError('a note cannot be empty: write what you want to remember about this person');
  if (text.length > MAX_NOTE_CHARS) {
    throw new InputError(`a note is at most ${count(MAX_NOTE_CHARS)} characters; this one has ${count(text.length)}`);
  }
  return text;
}

/** A note as HTML: every character escaped, line breaks as `<br>`. Safe in element content and attribute values. */
export function noteHtml(text: string): string {
  return escapeHtml(text).replace(/\n/g, '<br>');
}

/**
 * A note for a plain-text part: control characters dropped and every line after the
 * first indented by `indent`, so a note cannot forge a heading or a link line of the
 * email around it.
 */
export function noteText(text: string, indent = '  '): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROLS, '').split('\n').join(`\n${indent}`);
}

/** The first non-blank line of a note, trimmed, cut to {@link NOTE_LINE_CHARS} with an ellipsis. */
export function firstLine(text: string): string {
  const line = text.replace(CONTROLS, '').split(/\r\n?|\n/).map((l) => l.trim()).find((l) => l !== '') ?? '';
  if (line.length <= NOTE_LINE_CHARS) return line;
  // Never cut an astral character (an emoji) in half.
  const cut = line.slice(0, NOTE_LINE_CHARS - 1).replace(/[\uD800-\uDBFF]$/, '');
  return `${cut.trimEnd()}…`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
