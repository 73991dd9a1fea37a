import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyLinkAction } from '#lib/links/actions.ts';
import { signLink, verifyLink, type LinkClaims } from '#lib/links/token.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { createLinksApp } from '#lib/web/links-app.ts';
import type { WebRequest, WebResponse } from '#lib/web/http.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { aUser } from '#test/links/fixtures.ts';
import { partition } from '#test/links/partition.ts';

/**
 * The meeting brief's own switch (DESIGN section 9, issue 12): a `briefs-off` link shows
 * a confirmation on GET and changes nothing, turns briefs off on POST with a way back
 * (`briefs-on`), and leaves the weekly report alone.
 */

const SECRET = Buffer.alloc(32, 7);
const T0 = Date.UTC(2026, 10, 23, 9);
const ORIGIN = 'https://links.example';

let db: TestDynamo;
let store: DynamoStore;
let userId: string;
let n = 0;

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
});
afterAll(async () => db.close());
beforeEach(async () => {
  n += 1;
  userId = `u-briefs-${n}`;
  await store.putUser(aUser(userId));
});

const app = (): ((r: WebRequest) => Promise<WebResponse>) => createLinksApp({ store, now: () => new Date(T0), linkSecret: async () => SECRET });
const token = (action: LinkClaims['action']): string => signLink(SECRET, { action, userId }, { now: T0 });
const request = (method: string, path: string): WebRequest => ({
  method, path, query: {}, cookies: {}, origin: ORIGIN,
  headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
  ...(method === 'POST' ? { body: '' } : {}),
});
const forms = (html: string): string[] => [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1]!);

describe('briefs off and on by signed link', () => {
  it('GET shows what turning briefs off does and changes nothing', async () => {
    const before = await partition(db, userId);
    const res = await app()(request('GET', `/l/${token('briefs-off')}`));
    expect(res.status).toBe(200);
    expect(res.body).toContain('Turn off meeting briefs');
    expect(res.body).toContain('Your weekly report still comes');
    expect(forms(res.body)).toEqual([`${ORIGIN}/l/${token('briefs-off')}`]);
    expect(await partition(db, userId)).toStrictEqual(before);
  });

  it('POST turns briefs off, keeps the weekly report on, and offers a briefs-on button that turns them back on', async () => {
    const res = await app()(request('POST', `/l/${token('briefs-off')}`));
    expect(res.status).toBe(200);
    expect(res.body).toContain('Meeting briefs off');
    const user = (await store.getUser(userId))!;
    expect(user.briefsOff).toBe(true);
    expect(user.reportsPaused).toBe(false);

    const [back] = forms(res.body);
    expect(back!.startsWith(`${ORIGIN}/l/`)).toBe(true);
    expect(verifyLink(SECRET, back!.slice(`${ORIGIN}/l/`.length), T0)).toMatchObject({ action: 'briefs-on', userId });
    const on = await app()(request('POST', new URL(back!).pathname));
    expect(on.body).toContain('Meeting briefs on');
    expect((await store.getUser(userId))!.briefsOff).toBe(false);
  });

  it('is idempotent: the same link again changes nothing and says so', async () => {
    const claims = verifyLink(SECRET, token('briefs-off'), T0);
    const deps = { store, now: () => new Date(T0) };
    expect(await applyLinkAction(claims, deps)).toStrictEqual({ action: 'briefs-off', changed: true });
    const stored = await partition(db, userId);
    expect(await applyLinkAction(claims, deps)).toStrictEqual({ action: 'briefs-off', changed: false });
    expect(await partition(db, userId)).toStrictEqual(stored);
    const again = await app()(request('GET', `/l/${token('briefs-off')}`));
    expect(again.body).toContain('Meeting briefs are already off.');
  });

  it('briefs-on does not resume a paused person, and its page says briefs wait for the resume', async () => {
    await store.updateUser(userId, { set: { reportsPaused: true, briefsOff: true } });
    const page = await app()(request('GET', `/l/${token('briefs-on')}`));
    expect(page.body).toContain('briefs start again when you resume');
    await app()(request('POST', `/l/${token('briefs-on')}`));
    const user = (await store.getUser(userId))!;
    expect(user.briefsOff).toBe(false);
    expect(user.reportsPaused).toBe(true);
  });

  it('a briefs-off link of a person who disconnected is refused and recreates nothing', async () => {
    await store.deleteUser(userId);
    const res = await app()(request('POST', `/l/${token('briefs-off')}`));
    expect(res.status).toBe(410);
    expect(await store.getUser(userId)).toBeUndefined();
  });
});
