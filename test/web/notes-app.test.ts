import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { signLink } from '#lib/links/token.ts';
import { addNote, listNotes } from '#lib/notes/notes.ts';
import { notesLink } from '#lib/links/notes-links.ts';
import { SK_NOTE_PREFIX } from '#lib/store/dynamodb/schema.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { createLinksApp, type LinksAppDeps } from '#lib/web/links-app.ts';
import type { WebRequest, WebResponse } from '#lib/web/http.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { aUser } from '#test/links/fixtures.ts';
import { partition } from '#test/links/partition.ts';

const SECRET = Buffer.alloc(32, 9);
const T0 = Date.UTC(2026, 10, 23, 9);
const DAY = 86_400_000;
const ORIGIN = 'https://links.example';
const ANN = 'ann@acme.com';
const BOB = 'bob@beta.io';
const HOSTILE = `<script>alert("x")</script> Ann's "VIP" & <img src=x onerror=alert(1)>`;

let db: TestDynamo;
let store: DynamoStore;
const vault = LocalKeyVault.fromKey(Buffer.alloc(32, 3));
let clock: number;
let userId: string;
let n = 0;
let logged: string[];

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
});
afterAll(async () => db.close());
beforeEach(async () => {
  n += 1;
  userId = `u-notes-web-${n}`;
  clock = T0;
  logged = [];
  await store.putUser(aUser(userId));
});

const notesDeps = () => ({ store, vault, now: () => new Date(clock) });

function app(extra: Partial<LinksAppDeps> = {}): (r: WebRequest) => Promise<WebResponse> {
  const line = (m: string, a: Record<string, unknown>) => logged.push(JSON.stringify({ m, ...a }));
  return createLinksApp({ store, vault, now: () => new Date(clock), linkSecret: async () => SECRET, log: { info: line, warn: line }, ...extra });
}

/** The token of a notes link about `contact` for `user`, issued at `clock`. */
function notesToken(contact = ANN, user = userId): string {
  const url = notesLink({ baseUrl: ORIGIN, secret: SECRET, userId: user, now: new Date(clock) }, contact);
  return url.slice(`${ORIGIN}/l/`.length);
}

function request(method: string, token: string, body?: Record<string, string>, headers: Record<string, string> = { origin: ORIGIN, 'sec-fetch-site': 'same-origin' }, query: Record<string, string> = {}): WebRequest {
  return {
    method, path: `/l/${token}`, query, cookies: {}, origin: ORIGIN,
    headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    ...(body === undefined ? {} : { body: new URLSearchParams(body).toString() }),
  };
}

const get = (token: string, query: Record<string, string> = {}) => app()(request('GET', token, undefined, {}, query));
const post = (token: string, body: Record<string, string>, headers?: Record<string, string>) => app()(request('POST', token, body, headers));

/** The form token of the page the link shows. */
async function formToken(token: string): Promise<string> {
  const page = await get(token);
  const m = /name="form" value="([^"]+)"/.exec(page.body);
  if (!m) throw new Error('no form token on the page');
  return m[1]!;
}

async function snapshot(user = userId): Promise<string> {
  return JSON.stringify(await partition(db, user));
}

describe('GET', () => {
  it('shows the contact\'s notes newest first, escaped, with the forms, and changes nothing', async () => {
    await addNote(notesDeps(), userId, ANN, 'older note');
    clock += 60_000;
    await addNote(notesDeps(), userId, ANN, `${HOSTILE}\nsecond line`);
    await addNote(notesDeps(), userId, BOB, 'about Bob only');
    const token = notesToken();
    const before = await snapshot();
    const page = await get(token);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'none'");
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('Notes on <span class="who">ann@acme.com</span>');
    expect(page.body).not.toContain('<script>');
    expect(page.body).not.toContain('<img');
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Ann&#39;s &quot;VIP&quot; &amp; &lt;img src=x onerror=alert(1)&gt;<br>second line');
    expect(page.body.indexOf('second line')).toBeLessThan(page.body.indexOf('older note'));
    expect(page.body).not.toContain('about Bob only');
    expect(page.body).toContain('2 notes, newest first');
    expect(page.body).toContain('maxlength="2000"');
    expect([...page.body.matchAll(/<form method="post" action="([^"]+)"/g)].every((m) => m[1] === `${ORIGIN}/l/${token}`)).toBe(true);
    // HEAD and a second GET change nothing either.
    expect((await app()(request('HEAD', token))).body).toBe('');
    expect(await snapshot()).toBe(before);
    expect(logged).toStrictEqual([]);
  });

  it('an expired link is refused and shows nothing', async () => {
    await addNote(notesDeps(), userId, ANN, 'kept secret');
    const token = notesToken();
    clock += 61 * DAY;
    const page = await get(token);
    expect(page.status).toBe(400);
    expect(page.body).toContain('the link expired on');
    expect(page.body).not.toContain('kept secret');
    const ft = await (async () => { clock -= 61 * DAY; const t = await formToken(token); clock += 61 * DAY; return t; })();
    const before = await snapshot();
    expect((await post(token, { op: 'add', text: 'late', form: ft })).status).toBe(400);
    expect(await snapshot()).toBe(before);
  });

  it('a person who disconnected gets 410, and nothing is created', async () => {
    const token = notesToken();
    await store.deleteUser(userId);
    expect((await get(token)).status).toBe(410);
    expect((await post(token, { op: 'add', text: 'x', form: 'whatever' })).status).toBe(410);
    expect(await partition(db, userId)).toStrictEqual([]);
  });
});

describe('POST', () => {
  it('adds, edits and deletes, redirecting to the page (303), bound to the link\'s person and contact', async () => {
    const token = notesToken('Ann Lee <ANN@acme.com>');
    const form = await formToken(token);
    const added = await post(token, { op: 'add', text: 'prefers calls before 10', form });
    expect(added.status).toBe(303);
    expect(added.headers.location).toBe(`${ORIGIN}/l/${token}?done=added`);
    expect((await get(token, { done: 'added' })).body).toContain('Note added.');
    // Only the three known answers are shown; any other value is ignored, never echoed.
    for (const done of ['constructor', '__proto__', '<b>x</b>']) {
      const page = await get(token, { done });
      expect(page.status).toBe(200);
      expect(page.body).not.toContain('class="status');
    }
    const [note] = await listNotes(notesDeps(), userId);
    expect(note).toMatchObject({ contact: ANN, text: 'prefers calls before 10' });

    clock += 60_000;
    expect((await post(token, { op: 'edit', id: note!.id, text: 'prefers calls after 10', form })).headers.location).toMatch(/\?done=edited$/);
    expect(await listNotes(notesDeps(), userId)).toMatchObject([{ id: note!.id, text: 'prefers calls after 10', at: new Date(clock).toISOString() }]);
    expect((await post(token, { op: 'delete', id: note!.id, form })).headers.location).toMatch(/\?done=deleted$/);
    expect(await listNotes(notesDeps(), userId)).toStrictEqual([]);
  });

  it('the raw item of a note added through the page holds no plaintext', async () => {
    const token = notesToken();
    expect((await post(token, { op: 'add', text: 'her son Leo plays the cello', form: await formToken(token) })).status).toBe(303);
    const raw = await snapshot();
    expect(raw).toContain(`"${SK_NOTE_PREFIX}`);
    expect(raw).not.toMatch(/Leo|cello/);
  });

  it('a link for contact A cannot edit or delete contact B\'s note, nor another person\'s', async () => {
    const bobs = await addNote(notesDeps(), userId, BOB, 'about Bob');
    const otherUser = `u-notes-web-other-${n}`;
    await store.putUser(aUser(otherUser));
    const theirs = await addNote(notesDeps(), otherUser, ANN, 'theirs on Ann');
    const token = notesToken(ANN);
    const form = await formToken(token);
    const before = [await snapshot(), await snapshot(otherUser)];
    const bodies: Array<Record<string, string>> = [
      { op: 'edit', id: bobs.id, text: 'hijacked', form },
      { op: 'delete', id: bobs.id, form },
      { op: 'edit', id: theirs.id, text: 'hijacked', form },
      { op: 'delete', id: theirs.id, form },
    ];
    for (const body of bodies) {
      const r = await post(token, body);
      expect(r.status).toBe(404);
      expect(r.body).toContain('that note is gone, or it is not one of yours on this person');
    }
    expect([await snapshot(), await snapshot(otherUser)]).toStrictEqual(before);
  });

  it('over 2,000 characters: a one-line message on the page, the draft kept, nothing stored', async () => {
    const token = notesToken();
    const before = await snapshot();
    const r = await post(token, { op: 'add', text: 'w'.repeat(2500), form: await formToken(token) });
    expect(r.status).toBe(400);
    expect(r.body).toContain('Nothing was saved: a note is at most 2,000 characters; this one has 2,500.');
    expect(r.body).toContain(`>${'w'.repeat(2500)}</textarea>`);
    expect(await snapshot()).toBe(before);
  });
});

describe('cross-site posting', () => {
  it.each([
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['Origin null (a sandboxed or no-referrer page elsewhere)', { origin: 'null' }],
    ['fetch metadata saying cross-site', { origin: ORIGIN, 'sec-fetch-site': 'cross-site' }],
    ['fetch metadata saying same-site (another app on a sibling host)', { 'sec-fetch-site': 'same-site' }],
  ])('%s is refused (403), nothing changed, even with a valid form token', async (_what, headers) => {
    await addNote(notesDeps(), userId, ANN, 'keep me');
    const [note] = await listNotes(notesDeps(), userId);
    const token = notesToken();
    const form = await formToken(token);
    const before = await snapshot();
    const bodies: Array<Record<string, string>> = [{ op: 'add', text: 'forged', form }, { op: 'delete', id: note!.id, form }];
    for (const body of bodies) {
      const r = await post(token, body, headers);
      expect(r.status).toBe(403);
      expect(r.body).toContain('this form was not sent from your Sinew notes page');
    }
    expect(await snapshot()).toBe(before);
  });

  it.each([
    ['missing', () => undefined],
    ['of another link (another contact)', () => formToken(notesToken(BOB))],
    ['forged', async () => `${Buffer.from(JSON.stringify({ l: 'x', e: T0 + DAY })).toString('base64url')}.AAAA`],
    ['older than 24 hours', async () => { const t = await formToken(notesToken()); clock += DAY + 1; return t; }],
  ])('a form token %s is refused (403), nothing changed, even same-origin', async (_what, make) => {
    const token = notesToken();
    const form = await make();
    const before = await snapshot();
    const r = await post(token, { op: 'add', text: 'forged', ...(form ? { form } : {}) });
    expect(r.status).toBe(403);
    expect(await snapshot()).toBe(before);
  });

  it('a POST without fetch metadata or Origin (not a browser) still needs the form token', async () => {
    const token = notesToken();
    expect((await post(token, { op: 'add', text: 'x' }, {})).status).toBe(403);
    expect((await post(token, { op: 'add', text: 'from curl with the page read', form: await formToken(token) }, {})).status).toBe(303);
  });

  it('the page sends its own origin with its forms: referrer policy same-origin, not no-referrer', async () => {
    expect((await get(notesToken())).headers['referrer-policy']).toBe('same-origin');
  });
});

describe('logs', () => {
  it('never carry a note\'s text nor the contact, on success or refusal', async () => {
    const token = notesToken();
    const form = await formToken(token);
    await post(token, { op: 'add', text: 'secret-word-quokka', form });
    const [note] = await listNotes(notesDeps(), userId);
    await post(token, { op: 'edit', id: note!.id, text: 'secret-word-wombat', form });
    await post(token, { op: 'add', text: 'secret-word-numbat', form }, { origin: 'https://evil.example' });
    await post(token, { op: 'delete', id: note!.id, form });
    expect(logged.length).toBe(4);
    expect(logged.map((l) => JSON.parse(l).op ?? JSON.parse(l).reason)).toStrictEqual(['add', 'edit', 'cross-site', 'delete']);
    for (const l of logged) expect(l).not.toMatch(/secret-word|ann@acme|acme\.com/);
  });
});

describe('notesLink', () => {
  it('signs a 60-day notes link naming the person and the normalized contact', async () => {
    const url = notesLink({ baseUrl: `${ORIGIN}/`, secret: SECRET, userId, now: new Date(T0) }, 'Ann <ANN@Acme.com>');
    expect(url.startsWith(`${ORIGIN}/l/`)).toBe(true);
    const { verifyLink } = await import('#lib/links/token.ts');
    expect(verifyLink(SECRET, url.slice(`${ORIGIN}/l/`.length), T0)).toMatchObject({ action: 'notes', userId, contact: ANN, expiresAt: T0 + 60 * DAY });
    expect(() => notesLink({ baseUrl: 'http://example.com', secret: SECRET, userId, now: new Date(T0) }, ANN)).toThrow(/https/);
    // A link signed for another action does not open the notes page.
    const fine = signLink(SECRET, { action: 'fine', userId, contact: ANN }, { now: T0 });
    expect((await get(fine)).body).not.toContain('New note');
  });
});
