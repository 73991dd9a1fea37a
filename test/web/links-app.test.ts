import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { runLoopbackConsent } from '#lib/connect/loopback.ts';
import type { LinkedUser } from '#lib/links/actions.ts';
import { signLink, verifyLink, type LinkClaims } from '#lib/links/token.ts';
import { recordConnectedAccount } from '#lib/connect/accounts.ts';
import type { MailItem } from '#lib/items/types.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { createLinksApp, type LinksAppDeps } from '#lib/web/links-app.ts';
import type { WebRequest, WebResponse } from '#lib/web/http.ts';
import { GoogleOAuth } from '#lib/providers/google/oauth.ts';
import { GoogleOAuthEmulator, serveOnLoopback } from '#test/support/google/oauth-emulator.ts';
import { consentInBrowser, TEST_CLIENT } from '#test/support/google/world.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { aUser, anAccount } from '#test/links/fixtures.ts';
import { partition } from '#test/links/partition.ts';

const SECRET = Buffer.alloc(32, 9);
const T0 = Date.UTC(2026, 10, 23, 9);
const DAY = 86_400_000;
const ORIGIN = 'https://links.example';
const ANN = 'ann@acme.com';

let db: TestDynamo;
let store: DynamoStore;
let clock: number;
let userId: string;
let n = 0;

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
});
afterAll(async () => db.close());
beforeEach(async () => {
  n += 1;
  userId = `u-web-${n}`;
  clock = T0;
  await store.putUser(aUser(userId));
});

function app(extra: Partial<LinksAppDeps> = {}): (r: WebRequest) => Promise<WebResponse> {
  return createLinksApp({ store, now: () => new Date(clock), linkSecret: async () => SECRET, ...extra });
}

function token(action: LinkClaims['action'], extra: Partial<Omit<LinkClaims, 'expiresAt'>> = {}): string {
  return signLink(SECRET, { action, userId, ...extra }, { now: clock });
}

function request(method: string, path: string, body?: string, contentType = 'application/x-www-form-urlencoded'): WebRequest {
  return {
    method, path, query: {}, cookies: {}, origin: ORIGIN,
    headers: body === undefined ? {} : { 'content-type': contentType },
    ...(body === undefined ? {} : { body }),
  };
}

const get = (t: string, deps?: Partial<LinksAppDeps>) => app(deps)(request('GET', `/l/${t}`));
const post = (t: string, body = '', deps?: Partial<LinksAppDeps>, contentType?: string) => app(deps)(request('POST', `/l/${t}`, body, contentType));

/** The POST form actions a page carries. */
function forms(html: string): string[] {
  return [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1]!.replace(/&#38;/g, '&'));
}

function claimsOf(url: string): LinkClaims {
  expect(url.startsWith(`${ORIGIN}/l/`)).toBe(true);
  return verifyLink(SECRET, url.slice(`${ORIGIN}/l/`.length), clock);
}

describe('GET shows a confirmation and changes nothing', () => {
  it.each([
    ['fine', { contact: ANN }, 'Yes, this is fine'],
    ['snooze', { contact: ANN, days: 14 }, 'Snooze 14 days'],
    ['mute', { contact: ANN }, 'Mute'],
    ['undo', { contact: ANN }, 'Undo'],
    ['pause', {}, 'Pause reports'],
    ['resume', {}, 'Resume reports'],
    ['unsubscribe', {}, 'Unsubscribe'],
    ['timezone', {}, 'Save time zone'],
    ['disconnect', {}, 'Disconnect and delete'],
  ] as const)('%s', async (action, extra, button) => {
    await store.putFeedback(userId, { contact: ANN, action: 'mute', at: new Date(T0 - DAY).toISOString() });
    const before = await partition(db, userId);
    const t = token(action, extra);
    const res = await get(t);
    expect(res.status).toBe(200);
    expect(res.body).toContain(`>${button}</button>`);
    expect(forms(res.body)).toStrictEqual([`${ORIGIN}/l/${t}`]);
    if ('contact' in extra) expect(res.body).toContain(ANN);
    expect(await partition(db, userId)).toStrictEqual(before);
  });

  it('serves a self-contained, phone-sized page under the security headers', async () => {
    const res = await get(token('timezone'));
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.body).toContain('name="viewport"');
    expect(res.body).not.toMatch(/<link|src="http|url\(/);
    // The time-zone form: the stored zone prefilled, the browser's own detected by script.
    expect(res.body).toContain('name="timeZone"');
    expect(res.body).toContain('value="Europe/London"');
    expect(res.body).toContain('<option value="Europe/Paris">');
  });

  it('HEAD answers like GET without a body, and changes nothing', async () => {
    const res = await app()(request('HEAD', `/l/${token('pause')}`));
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect((await store.getUser(userId))!.reportsPaused).toBe(false);
  });
});

describe('POST applies', () => {
  it('mute, then its undo from the result page', async () => {
    const res = await post(token('mute', { contact: ANN }));
    expect(res.status).toBe(200);
    expect(res.body).toContain('Muted');
    expect(await store.listFeedback(userId)).toStrictEqual([{ contact: ANN, action: 'mute', at: new Date(T0).toISOString() }]);
    const [undo] = forms(res.body);
    expect(claimsOf(undo!)).toMatchObject({ action: 'undo', userId, contact: ANN });
    clock += 60_000;
    const undone = await app()(request('POST', new URL(undo!).pathname, ''));
    expect(undone.status).toBe(200);
    expect(undone.body).toContain('Answer undone');
    expect((await store.listFeedback(userId)).map((f) => f.action)).toStrictEqual(['undo']);
  });

  it('a second POST of the same link changes nothing and says so', async () => {
    const t = token('snooze', { contact: ANN, days: 7 });
    const first = await post(t);
    expect(first.body).toContain('Snoozed');
    expect(first.body).toContain('30 Nov 2026');
    const stored = await partition(db, userId);
    clock += DAY;
    const second = await post(t);
    expect(second.status).toBe(200);
    expect(second.body).toContain('already been used');
    expect(await partition(db, userId)).toStrictEqual(stored);
  });

  it('pause, with a resume button that resumes', async () => {
    const res = await post(token('pause'));
    expect((await store.getUser(userId))!.reportsPaused).toBe(true);
    const [resume] = forms(res.body);
    expect(claimsOf(resume!).action).toBe('resume');
    await app()(request('POST', new URL(resume!).pathname, ''));
    expect((await store.getUser(userId))!.reportsPaused).toBe(false);
  });

  it('builds the way back on the configured base URL', async () => {
    const res = await post(token('unsubscribe'), '', { baseUrl: 'https://sinew.example.org/' });
    expect(forms(res.body)[0]).toMatch(/^https:\/\/sinew\.example\.org\/l\/[\w-]+\.[\w-]+$/);
  });

  it('timezone: stores a valid zone, refuses another with a 400 naming it', async () => {
    const t = token('timezone');
    const bad = await post(t, 'timeZone=Mars%2FOlympus');
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('timeZone &quot;Mars/Olympus&quot; is not an IANA time zone');
    expect((await store.getUser(userId))!.timeZone).toBe('Europe/London');
    const missing = await post(t, '');
    expect(missing.status).toBe(400);
    const ok = await post(t, 'timeZone=America%2FNew_York');
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('America/New_York');
    expect((await store.getUser(userId))!.timeZone).toBe('America/New_York');
  });

  it('answers 410 for a person who is gone, writing nothing', async () => {
    await store.deleteUser(userId);
    expect((await get(token('mute', { contact: ANN }))).status).toBe(410);
    expect((await post(token('mute', { contact: ANN }))).status).toBe(410);
    expect(await partition(db, userId)).toStrictEqual([]);
  });
});

describe('RFC 8058 one-click unsubscribe', () => {
  it('applies a form-encoded one-click POST and answers 200 with a short text', async () => {
    const res = await post(token('unsubscribe'), 'List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body.length).toBeLessThan(100);
    const user = (await store.getUser(userId)) as LinkedUser;
    expect(user.reportsPaused).toBe(true);
    expect(user.unsubscribedAt).toBe(new Date(T0).toISOString());
    // A provider retrying is harmless.
    expect((await post(token('unsubscribe'), 'List-Unsubscribe=One-Click')).status).toBe(200);
  });

  it('applies a multipart one-click POST', async () => {
    const boundary = 'xyzzy';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const res = await post(token('unsubscribe'), body, {}, `multipart/form-data; boundary=${boundary}`);
    expect(res.status).toBe(200);
    expect((await store.getUser(userId))!.reportsPaused).toBe(true);
  });

  it('refuses one-click on any other link', async () => {
    const res = await post(token('disconnect'), 'List-Unsubscribe=One-Click');
    expect(res.status).toBe(400);
    expect(await store.getUser(userId)).toBeDefined();
  });
});

describe('tampered, expired and malformed links are refused, changing nothing', () => {
  it.each(['GET', 'POST'])('%s', async (method) => {
    const t = token('pause');
    const [body, sig] = t.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), a: 'disconnect' })).toString('base64url');
    const cases: Array<[string, RegExp]> = [
      [`${forged}.${sig}`, /signature does not match/],
      [`${body}.${sig.slice(0, -2)}AA`, /signature does not match/],
      [body, /incomplete/],
      [signLink(Buffer.alloc(32, 1), { action: 'pause', userId }, { now: clock }), /signature does not match/],
    ];
    for (const [bad, why] of cases) {
      const res = await app()(request(method, `/l/${bad}`, method === 'POST' ? '' : undefined));
      expect(res.status).toBe(400);
      expect(res.body).toMatch(why);
      expect(res.body).toContain('Nothing was changed');
    }
    clock += 400 * DAY;
    const expired = await app()(request(method, `/l/${t}`, method === 'POST' ? '' : undefined));
    expect(expired.status).toBe(400);
    expect(expired.body).toContain('expired on 2027-11-23');
    expect((await store.getUser(userId))!.reportsPaused).toBe(false);
  });
});

describe('routing', () => {
  it('sends join to the connect page and reconnect to its provider, with the token', async () => {
    const join = token('join');
    const res = await get(join);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${ORIGIN}/?link=${join}`);
    const again = await post(join);
    expect(again.status).toBe(303);
    const reconnect = token('reconnect', { accountId: 'microsoft-abc123' });
    expect((await get(reconnect)).headers.location).toBe(`${ORIGIN}/connect/microsoft?link=${reconnect}`);
  });

  it('answers 404 elsewhere and 405 to other methods', async () => {
    expect((await app()(request('GET', '/l/'))).status).toBe(404);
    expect((await app()(request('GET', '/other'))).status).toBe(404);
    const put = await app()(request('PUT', `/l/${token('pause')}`, ''));
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, HEAD, POST');
  });
});

describe('disconnect against the Google emulator', () => {
  // The OAuth emulator alone: the combined world of test/support/google/world.ts puts
  // /revoke behind bearer authentication (its public paths are /o/oauth2 and /token), where
  // Google serves it without one.
  let emulator: GoogleOAuthEmulator;
  let server: { url: string; close: () => Promise<void> };
  let oauth: GoogleOAuth;
  beforeAll(async () => {
    emulator = new GoogleOAuthEmulator({ ...TEST_CLIENT, user: { email: 'pat@example.com', sub: '1000001' }, clock: new VirtualClock(T0) });
    server = await serveOnLoopback(emulator.handle);
    oauth = new GoogleOAuth({ ...TEST_CLIENT, authUrl: `${server.url}/o/oauth2/v2/auth`, tokenUrl: `${server.url}/token` });
  });
  afterAll(async () => server.close());

  it('revokes the Google grant, then deletes every item of the user and only theirs', async () => {
    const vault = LocalKeyVault.fromKey(randomBytes(32));
    const grant = await runLoopbackConsent({ provider: 'google', oauth, onUrl: (url) => void consentInBrowser(url) });
    const { user, account } = await recordConnectedAccount(store, vault, { provider: 'google', grant, now: new Date(T0), timeZone: 'Europe/Paris' });
    userId = user.userId;
    const mail: MailItem = {
      kind: 'mail', accountId: account.accountId, source: 'gmail', providerId: 'm1', messageId: 'm1@x', threadId: 't1',
      at: new Date(T0 - DAY).toISOString(), from: ANN, to: ['pat@example.com'], cc: [], bcc: [], names: {}, replyTo: [],
      subjectHash: null, labels: ['INBOX'], bulkSignals: [],
    };
    await store.putItems(userId, [mail]);
    await store.putAccount(anAccount(userId, 'microsoft', 'pat@example.org', { encryptedToken: 'sealed-elsewhere' }));
    await store.putFeedback(userId, { contact: ANN, action: 'fine', at: new Date(T0).toISOString() });
    await store.putReport(userId, '2026-W47', '{"user":"pat@example.com"}');
    const bystander = `u-bystander-${n}`;
    await store.putUser(aUser(bystander));
    await store.putFeedback(bystander, { contact: ANN, action: 'mute', at: new Date(T0).toISOString() });
    const bystanderBefore = await partition(db, bystander);
    const issued = emulator.issuedRefreshTokens;
    expect(issued).toHaveLength(1);
    expect(grant.accessToken && emulator.validateAccessToken(grant.accessToken)).toBeTruthy();

    const deps: Partial<LinksAppDeps> = { vault, revoker: async () => oauth };
    const t = token('disconnect');
    const page = await get(t, deps);
    expect(page.body).toContain('cannot be undone');
    expect(emulator.revoked).toStrictEqual([]);
    expect(await partition(db, userId)).toHaveLength(6);

    const res = await post(t, '', deps);
    expect(res.status).toBe(200);
    expect(emulator.revoked).toStrictEqual(issued);
    expect(emulator.validateAccessToken(grant.accessToken!)).toBeUndefined();
    expect(await partition(db, userId)).toStrictEqual([]);
    expect(res.body).toContain('6 items');
    expect(res.body).toContain('access revoked');
    expect(res.body).toContain('https://myapps.microsoft.com');
    expect(res.body).toContain('https://account.live.com/consent/Manage');
    expect(await partition(db, bystander)).toStrictEqual(bystanderBefore);

    const again = await post(t, '', deps);
    expect(again.status).toBe(200);
    expect(again.body).toContain('Sinew holds nothing about you');
    expect(emulator.revoked).toHaveLength(1);
    // Other links of the deleted person no longer write anything.
    expect((await post(token('mute', { contact: ANN }), '', deps)).status).toBe(410);
    expect(await partition(db, userId)).toStrictEqual([]);
  });
});
