import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { buildUserReport } from '#lib/report/build.ts';
import { escapeHtml } from '#lib/html.ts';
import { WHAT_IS_SHARED } from '#lib/team/sharing.ts';
import { defaultSettings } from '#lib/settings.ts';
import { linkUrl, signLink, verifyLink, type LinkClaims } from '#lib/links/token.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { createLinksApp, type LinksLog } from '#lib/web/links-app.ts';
import type { WebRequest, WebResponse } from '#lib/web/http.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { FIRM_AS_OF, seedPerson, type FirmPerson } from '#test/team/firm.ts';

/**
 * The team view's signed links (DESIGN section 10, issue 13) through the links app on
 * dynalite: stop sharing, share again, keep private (and its undo) confirm on GET and
 * change nothing, act on POST (stop sharing and keep private remove the index entries in
 * the same request, checked on a raw Scan), refuse a cross-site POST; the who-knows page
 * shows its form on GET, answers a query from the index for the link's owner only,
 * ranked and never naming the asker, escaped, writing nothing, and refuses a non-sharer.
 */

const SECRET = Buffer.alloc(32, 9);
const T0 = FIRM_AS_OF.getTime() + 3_600_000;
const ORIGIN = 'https://links.example';

const sam: FirmPerson = {
  email: 'sam.lee@firm.example', name: 'Sam Lee',
  contacts: [
    { address: 'ann@acme.example', name: 'Ann Lee', shape: 'active' },
    { address: 'bob@acme.example', name: 'Bob <b>Ray</b>', shape: 'active' },
    { address: 'cy@gamma.example', name: 'Cy Gee', shape: 'meeting' },
  ],
};
const kim: FirmPerson = {
  email: 'kim.ng@firm.example', name: 'Kim Ng',
  contacts: [
    { address: 'ann@acme.example', name: 'Ann Lee', shape: 'active' },
    { address: 'dee@delta.example', name: 'Dee Dee', shape: 'active' },
  ],
};
const lou: FirmPerson = { email: 'lou@firm.example', name: 'Lou Who', contacts: [{ address: 'ann@acme.example', name: 'Ann Lee', shape: 'fading' }] };

let db: TestDynamo;
let store: DynamoStore;
let ids: { sam: string; kim: string; lou: string };
const logs: Array<[string, Record<string, unknown>]> = [];
const log: LinksLog = { info: (m, a) => logs.push([m, a]), warn: (m, a) => logs.push([m, a]) };

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
  ids = { sam: await seedPerson(store, sam), kim: await seedPerson(store, kim), lou: await seedPerson(store, lou) };
  await publish();
});
afterAll(async () => db.close());

/** Each person's weekly report with the team view on: what publishes their entries. */
async function publish(asOf = FIRM_AS_OF): Promise<void> {
  for (const id of Object.values(ids)) await buildUserReport(store, id, { asOf, settings: defaultSettings, team: true });
}

/** Every item of the table, by a raw Scan. */
async function table(): Promise<Array<Record<string, unknown>>> {
  const out = await db.client.send(new ScanCommand({ TableName: db.tableName, ConsistentRead: true }));
  return (out.Items ?? []).map((i) => unmarshall(i)).sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
}
/** The index records (entries and sharers' lists) naming a person's user id. */
const indexOf = async (userId: string) => (await table()).filter((r) => String(r.pk).startsWith('TEAM') && (r.pk === `TEAMBY#${userId}` || String(r.sk).endsWith(`#${userId}`)));

const app = (team = true, now = T0): ((r: WebRequest) => Promise<WebResponse>) =>
  createLinksApp({ store, now: () => new Date(now), linkSecret: async () => SECRET, log, ...(team ? { team: true } : {}) });
const token = (claims: Omit<LinkClaims, 'expiresAt'>): string => signLink(SECRET, claims, { now: T0 });
const get = (path: string, query: Record<string, string> = {}): WebRequest => ({ method: 'GET', path, query, cookies: {}, origin: ORIGIN, headers: {} });
const post = (path: string, headers: Record<string, string> = { 'sec-fetch-site': 'same-origin', origin: ORIGIN }): WebRequest => ({
  method: 'POST', path, query: {}, cookies: {}, origin: ORIGIN, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: '',
});
const forms = (html: string): string[] => [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1]!);
const pathOf = (url: string): string => new URL(url).pathname;

describe('stop sharing, share again, keep private by signed link', () => {
  it('GET of stop-sharing says what is shared and changes nothing; a cross-site POST changes nothing', async () => {
    const before = await table();
    const path = `/l/${token({ action: 'stop-sharing', userId: ids.sam })}`;
    const page = await app()(get(path));
    expect(page.status).toBe(200);
    expect(page.body).toContain('Stop sharing with your team');
    expect(page.body).toContain(escapeHtml(WHAT_IS_SHARED));
    expect(page.headers['referrer-policy']).toBe('same-origin');
    expect(page.headers['content-security-policy']).toContain("script-src 'none'");
    expect(forms(page.body)).toEqual([`${ORIGIN}${path}`]);
    const hostile: Array<Record<string, string>> = [{ 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example' }, { origin: 'null' }];
    for (const headers of hostile) {
      const refused = await app()(post(path, headers));
      expect(refused.status).toBe(403);
    }
    expect(await table()).toStrictEqual(before);
  });

  it('POST stop-sharing removes every entry of that person in the same request, leaves the others, and offers share again', async () => {
    const samBefore = await indexOf(ids.sam);
    expect(samBefore.length).toBeGreaterThan(0);
    const kimBefore = await indexOf(ids.kim);
    const path = `/l/${token({ action: 'stop-sharing', userId: ids.sam })}`;
    const res = await app()(post(path));
    expect(res.status, res.body).toBe(200);
    expect(res.body).toContain('Sharing stopped');
    expect(await indexOf(ids.sam)).toEqual([]);
    expect(await indexOf(ids.kim)).toStrictEqual(kimBefore);
    expect((await store.getUser(ids.sam))!.teamSharing).toBe('stopped');
    // Kim's who-knows no longer names Sam.
    const ask = await app()(get(`/l/${token({ action: 'who-knows', userId: ids.kim })}`, { q: 'acme.example' }));
    expect(ask.body).not.toContain('sam.lee@firm.example');

    const again = await app()(post(path));
    expect(again.body).toContain('already been used');
    const [back] = forms(res.body);
    expect(verifyLink(SECRET, pathOf(back!).slice(3), T0)).toMatchObject({ action: 'share-again', userId: ids.sam });
    const shared = await app()(post(pathOf(back!)));
    expect(shared.body).toContain('Sharing again');
    expect((await store.getUser(ids.sam))!.teamSharing).toBe('sharing');
    // Nothing is published until the next weekly report.
    expect(await indexOf(ids.sam)).toEqual([]);
    await publish();
    expect((await indexOf(ids.sam)).length).toBe(samBefore.length);
  });

  it('keep private removes that contact\'s entry at once, keeps it out of the next report, and its undo shares it again', async () => {
    const contact = 'bob@acme.example';
    const entryOf = async () => (await table()).filter((r) => r.pk === 'TEAM#acme.example' && r.contact === contact && String(r.sk).endsWith(`#${ids.sam}`));
    expect(await entryOf()).toHaveLength(1);
    const path = `/l/${token({ action: 'private', userId: ids.sam, contact })}`;
    const before = await table();
    const page = await app()(get(path));
    expect(page.body).toContain('Keep this contact private');
    expect(page.body).toContain(contact);
    expect(await table()).toStrictEqual(before);

    const res = await app()(post(path));
    expect(res.body).toContain('Kept private');
    expect(await entryOf()).toEqual([]);
    // The next weekly report (after the answer) leaves the contact out.
    await publish(new Date(T0 + 30_000));
    expect(await entryOf()).toEqual([]);
    // Muting, pausing and flags are not touched: the flag answers hold no record of it.
    expect((await store.listFeedback(ids.sam)).map((f) => f.action)).toEqual(['private']);

    const [undo] = forms(res.body);
    expect(verifyLink(SECRET, pathOf(undo!).slice(3), T0)).toMatchObject({ action: 'undo', userId: ids.sam, contact, scope: 'sharing' });
    const confirmUndo = await app(true, T0 + 30_000)(get(pathOf(undo!)));
    expect(confirmUndo.body).toContain('Share this contact again');
    const undone = await app(true, T0 + 60_000)(post(pathOf(undo!)));
    expect(undone.body).toContain('Shared again');
    const second = await app(true, T0 + 120_000)(post(pathOf(undo!)));
    expect(second.body).toContain('already been used');
    // The next report after the undo publishes the contact again.
    await buildUserReport(store, ids.sam, { asOf: new Date(T0 + 180_000), settings: defaultSettings, team: true });
    expect(await entryOf()).toHaveLength(1);
  });
});

describe('the who-knows page', () => {
  const whoKnows = (userId: string) => `/l/${token({ action: 'who-knows', userId })}`;

  it('GET without a query shows the form and writes nothing', async () => {
    const before = await table();
    const res = await app()(get(whoKnows(ids.kim)));
    expect(res.status).toBe(200);
    expect(res.body).toContain('<form method="get"');
    expect(res.body).toContain('name="q"');
    expect(await table()).toStrictEqual(before);
  });

  it('answers for the link\'s owner from the index, ranked, never naming the asker, and writes nothing', async () => {
    logs.length = 0;
    const before = await table();
    const byKim = await app()(get(whoKnows(ids.kim), { q: 'ann@acme.example' }));
    expect(byKim.status).toBe(200);
    expect(byKim.body).toContain('Who knows <span class="who">ann@acme.example</span>');
    expect(byKim.body).toContain('sam.lee@firm.example');
    expect(byKim.body).not.toContain('kim.ng@firm.example');
    // Ranked by tier: Sam (ok, in touch every week) before Lou (weak, quiet for 40 days).
    const named = (html: string): string[] => [...html.matchAll(/<span class="muted">([a-z.]+@firm\.example)<\/span>/g)].map((m) => m[1]!);
    expect(named(byKim.body)).toEqual(['sam.lee@firm.example', 'lou@firm.example']);
    expect(byKim.body).toMatch(/sam\.lee@firm\.example<\/span><\/span><br><span class="tier ok">ok<\/span>/);
    const bySam = await app()(get(whoKnows(ids.sam), { q: 'acme.example' }));
    expect(named(bySam.body)).toEqual(['kim.ng@firm.example', 'lou@firm.example']);
    expect(await table()).toStrictEqual(before);
    // The log names the asker's id and a count, never the query or an address.
    expect(JSON.stringify(logs)).not.toMatch(/@|acme/);
    expect(logs.some(([m, a]) => m === 'who-knows answered' && a.userId === ids.kim)).toBe(true);
  });

  it('escapes what it shows back, and says when a query is neither an address nor a domain', async () => {
    const res = await app()(get(whoKnows(ids.kim), { q: '<script>alert(1)</script>' }));
    expect(res.status).toBe(400);
    expect(res.body).not.toContain('<script>alert');
    expect(res.body).toContain('&lt;script&gt;');
    const none = await app()(get(whoKnows(ids.kim), { q: 'nobody.example' }));
    expect(none.body).toContain('Nobody yet');
  });

  it('refuses a non-sharer with a clear page offering to share again, and answers nothing when the team view is off', async () => {
    await store.updateUser(ids.lou, { set: { teamSharing: 'stopped' } });
    const res = await app()(get(whoKnows(ids.lou), { q: 'acme.example' }));
    expect(res.status).toBe(403);
    expect(res.body).toContain('You are not sharing');
    expect(res.body).not.toContain('sam.lee@firm.example');
    const [again] = forms(res.body);
    expect(verifyLink(SECRET, pathOf(again!).slice(3), T0)).toMatchObject({ action: 'share-again', userId: ids.lou });
    const off = await app(false)(get(whoKnows(ids.kim), { q: 'acme.example' }));
    expect(off.status).toBe(404);
    expect(off.body).not.toContain('sam.lee@firm.example');
    const posted = await app()(post(whoKnows(ids.kim)));
    expect(posted.status).toBe(405);
    expect(linkUrl(ORIGIN, 'x')).toBe(`${ORIGIN}/l/x`);
  });
});
