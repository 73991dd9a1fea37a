import { createHash } from 'node:crypto';
import * as z from 'zod';
import { openSigned, signPayload } from '#lib/connect/signed.ts';
import type { TokenVault } from '#lib/connect/token-vault.ts';
import { InputError } from '#lib/errors.ts';
import { normalizeAddress } from '#lib/items/normalize.ts';
import { linkUrl, type LinkClaims } from '#lib/links/token.ts';
import { addNote, deleteNote, editNote, listNotes, NoteNotFoundError, type NotesDeps } from '#lib/notes/notes.ts';
import type { Store } from '#lib/store/types.ts';
import { htmlResponse, parseForm, redirectResponse, type WebRequest, type WebResponse } from './http.ts';
import { problemPage } from './links-pages.ts';
import { notesPage } from './notes-page.ts';

/**
 * The notes page behind a signed `notes` link (DESIGN section 9), served by the links app
 * once the link's signature and expiry are checked:
 *
 * - `GET` shows the contact's notes and the forms, and changes nothing (mail scanners
 *   fetch every link of an email).
 * - `POST` adds, edits or deletes one note of the link's person about the link's contact:
 *   a note id of another contact or person is refused like a missing one.
 *
 * Cross-site posting: the link token in the URL is the page's authority (no cookie), so
 * a site that does not know the link cannot even aim at it. A site that does know it
 * still cannot post through a visitor's browser: a POST must come from a same-origin page
 * (`Sec-Fetch-Site: same-origin` where the browser sends fetch metadata, else an `Origin`
 * equal to the links' origin; `Origin: null` and foreign origins refused) and carry the
 * form token of this page, an HMAC under the link key over a hash of this link token with
 * a 24-hour expiry, which only a reader of the page has. The page's referrer policy is
 * `same-origin` so that browsers send its origin with its own forms (`no-referrer`, the
 * links' default, makes them send `Origin: null`). Notes are never logged: the log gets
 * the operation and the person's id, not the text nor the contact.
 */

interface NotesAppDeps {
  store: Store;
  /** Seals and opens the notes (KMS in AWS, the local master key locally). */
  vault?: TokenVault;
  now: () => Date;
  log?: { info(message: string, attributes: Record<string, string | number | boolean>): void; warn(message: string, attributes: Record<string, string | number | boolean>): void };
}

/** How long a page's form token lasts: a form left open for a day still saves. */
const NOTES_FORM_TTL_MS = 24 * 3_600_000;

const FORM_LABEL = 'sinew.notes-form.v1.';
const formPayload = z.strictObject({ l: z.string().min(1), e: z.number().int().positive() });
const postSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), text: z.string() }),
  z.object({ op: z.literal('edit'), id: z.string().min(1), text: z.string() }),
  z.object({ op: z.literal('delete'), id: z.string().min(1) }),
]);
const DONE = { added: 'Note added.', edited: 'Note saved.', deleted: 'Note deleted.' } as const;

/**
 * Answers a verified `notes` link. `token` is the link token (the form token is bound to
 * it), `base` the public base URL the page's forms post to.
 */
export async function answerNotesLink(
  deps: NotesAppDeps,
  request: WebRequest,
  claims: LinkClaims,
  link: { token: string; base: string; secret: Uint8Array },
): Promise<WebResponse> {
  const contact = normalizeAddress(claims.contact);
  if (!contact) return htmlResponse(400, problemPage('This link does not work', 'Nothing was changed: a notes link must name a contact.'));
  const user = await deps.store.getUser(claims.userId);
  if (!user) return htmlResponse(410, problemPage('Nothing to do', 'This Sinew account no longer exists: it was disconnected and its data deleted.'));
  if (!deps.vault) return htmlResponse(503, problemPage('Notes are not available here', 'This server has no key to open notes with; nothing was changed.'));
  const notesDeps: NotesDeps = { store: deps.store, vault: deps.vault, now: deps.now };
  const postUrl = linkUrl(link.base, link.token);
  const now = deps.now().getTime();
  const render = async (status: number, extra: { status?: { kind: 'done' | 'error'; message: string }; draft?: string } = {}): Promise<WebResponse> => {
    const notes = await listNotes(notesDeps, claims.userId, contact);
    const formToken = signPayload(link.secret, FORM_LABEL, { l: linkHash(link.token), e: now + NOTES_FORM_TTL_MS }, 'link');
    const { html } = notesPage({ contact, notes, timeZone: user.timeZone, postUrl, formToken, ...extra });
    return htmlResponse(status, html, { headers: { 'referrer-policy': 'same-origin' } });
  };

  if (request.method !== 'POST') {
    const asked = request.query.done ?? '';
    const done = Object.hasOwn(DONE, asked) ? DONE[asked as keyof typeof DONE] : undefined;
    return render(200, done ? { status: { kind: 'done', message: done } } : {});
  }
  if (!sameOrigin(request, [request.origin, link.base])) {
    deps.log?.warn('notes post refused', { action: 'notes', reason: 'cross-site' });
    return htmlResponse(403, problemPage('Not sent from this page', 'Nothing was changed: this form was not sent from your Sinew notes page. Open the link from your email and try again.'));
  }
  const form = parseForm(request.body);
  if (!formTokenValid(link.secret, form.form, link.token, now)) {
    deps.log?.warn('notes post refused', { action: 'notes', reason: 'form-token' });
    return htmlResponse(403, problemPage('This form has expired', 'Nothing was changed: the form was too old or not from this page. Open the link again and retry.'));
  }
  const parsed = postSchema.safeParse(form);
  if (!parsed.success) return render(400, { status: { kind: 'error', message: 'Nothing was changed: the form was incomplete.' } });
  const post = parsed.data;
  try {
    if (post.op === 'add') await addNote(notesDeps, claims.userId, contact, post.text);
    else if (post.op === 'edit') await editNote(notesDeps, claims.userId, post.id, post.text, contact);
    else await deleteNote(notesDeps, claims.userId, post.id, contact);
  } catch (err) {
    if (err instanceof NoteNotFoundError) return render(404, { status: { kind: 'error', message: 'Nothing was changed: that note is gone, or it is not one of yours on this person.' } });
    if (err instanceof InputError) return render(400, { status: { kind: 'error', message: `Nothing was saved: ${err.message}.` }, ...(post.op === 'add' ? { draft: post.text } : {}) });
    throw err;
  }
  const done = post.op === 'add' ? 'added' : post.op === 'edit' ? 'edited' : 'deleted';
  deps.log?.info('note changed', { action: 'notes', op: post.op, userId: claims.userId });
  // Post/Redirect/Get: reloading the page shows it again rather than posting twice.
  return { ...redirectResponse(`${postUrl}?done=${done}`), status: 303 };
}

/**
 * Whether a POST came from a page of this origin: fetch metadata when the browser sends
 * it, else the Origin header; a request with neither (no browser sends a form so) is
 * left to the form token.
 */
export function sameOrigin(request: WebRequest, origins: readonly string[]): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const allowed = new Set(origins.map((o) => originOf(o)).filter((o): o is string => o !== undefined));
  return allowed.has(origin);
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function formTokenValid(secret: Uint8Array, given: string | undefined, linkToken: string, now: number): boolean {
  const opened = openSigned(secret, FORM_LABEL, given, 'link');
  if (!opened.ok) return false;
  const payload = formPayload.safeParse(opened.payload);
  return payload.success && payload.data.l === linkHash(linkToken) && now < payload.data.e;
}

/** The link token as the form token names it: a hash, so the page does not repeat the token. */
function linkHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 32);
}
