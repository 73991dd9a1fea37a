import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyState } from '#lib/connect/state.ts';
import { reconnectUrl } from '#lib/links/report-links.ts';
import { signLink, verifyLink } from '#lib/links/token.ts';
import { tokenContext } from '#lib/connect/accounts.ts';
import { accountIdFor, userIdFor } from '#lib/connect/identity.ts';
import type { Mailer, OutgoingEmail } from '#lib/mail/mailer.ts';
import { JOIN_COOKIE, type ConnectAppDeps } from '#lib/web/connect-app.ts';
import type { WebResponse } from '#lib/web/http.ts';
import type { WebApp } from '#lib/web/router.ts';
import { consentAt, get, setCookies, startConnectHarness, T0, type ConnectHarness } from './connect-harness.ts';

/**
 * "Connect another mailbox" is something only the same person can do: the join link works
 * only with the cookie of the browser that just signed in as that person, for minutes;
 * the page names whose reports the mailbox joins, and both addresses are told by email
 * with a link to undo. A reconnect link only reconnects the mailbox it names.
 */
class Outbox implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    this.sent.push(email);
    return { messageId: `m-${this.sent.length}` };
  }
}

/** What a browser keeps: its cookies, updated by each response. */
class Browser {
  cookies: Record<string, string> = {};
  take(res: WebResponse): WebResponse {
    for (const [name, { value, line }] of Object.entries(setCookies(res))) {
      if (/Max-Age=0/.test(line)) delete this.cookies[name];
      else this.cookies[name] = value;
    }
    return res;
  }
  async get(app: WebApp, origin: string, path: string, query: Record<string, string> = {}): Promise<WebResponse> {
    return this.take(await app(get(origin, path, query, { ...this.cookies })));
  }
  /** `/connect/google` with `query`, the emulator's consent, then the callback: the callback's response. */
  async connect(app: WebApp, origin: string, query: Record<string, string> = {}): Promise<WebResponse> {
    const start = await this.get(app, origin, '/connect/google', query);
    if (start.status !== 302) return start;
    const back = await consentAt(start.headers.location!);
    return this.get(app, origin, back.pathname, Object.fromEntries(back.searchParams));
  }
}

/** The "connect another mailbox" links of a success page: the signed join token of each. */
function joinTokens(page: WebResponse): string[] {
  return [...page.body.matchAll(/href="\/connect\/(?:google|microsoft)\?join=([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!));
}

function linksIn(text: string): string[] {
  return [...text.matchAll(/https:\/\/connect\.example\.com\/l\/[A-Za-z0-9_.-]+/g)].map((m) => m[0]);
}

describe('joining a mailbox to a person, and reconnecting one', () => {
  let h: ConnectHarness;
  let outbox: Outbox;
  const logged: Array<{ level: string; message: string; attrs: Record<string, unknown> }> = [];
  const ANN = 'ann@acme.com';

  function app(overrides: Partial<ConnectAppDeps> = {}): { app: WebApp; queue: ReturnType<ConnectHarness['app']>['queue'] } {
    return h.app({
      mail: { mailer: outbox, sender: 'sinew@acme.com' },
      log: {
        info: (message, attrs) => logged.push({ level: 'info', message, attrs }),
        warn: (message, attrs) => logged.push({ level: 'warn', message, attrs }),
      },
      ...overrides,
    });
  }

  function as(email: string): void {
    h.emulator.user = { email, sub: `sub-${email}` };
  }

  beforeAll(async () => {
    h = await startConnectHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.clock.t = T0;
    outbox = new Outbox();
    logged.length = 0;
  });

  it('a forwarded join link does nothing in another browser, and says so without naming anyone', async () => {
    as(ANN);
    const { app: connect, queue } = app();
    const ann = new Browser();
    const success = await ann.connect(connect, h.origin);
    expect(success.status, success.body).toBe(200);
    const [join] = joinTokens(success);
    expect(verifyLink(h.secret, join, h.clock.t)).toMatchObject({ action: 'join', userId: userIdFor(ANN), expiresAt: T0 + 15 * 60_000 });
    // The cookie that binds it to Ann's browser: __Host-, HttpOnly, as short-lived as the link.
    const cookie = setCookies(success)[JOIN_COOKIE]!;
    expect(cookie.value).toBe(join);
    expect(cookie.line).toMatch(/; Max-Age=900; Path=\/; Secure; HttpOnly; SameSite=Lax$/);
    expect(success.body).toContain('These links work for 15 minutes, in this browser only');

    // Ann forwards the link to Bob, who opens it in his own browser.
    as('bob@acme.com');
    const bob = new Browser();
    for (const path of ['/', '/connect/google']) {
      const res = await bob.get(connect, h.origin, path, { join: join! });
      expect(res.status).toBe(400);
      expect(res.body).toContain('works only in the browser that just connected a mailbox');
      expect(res.body).not.toContain(ANN);
      expect(res.headers.location).toBeUndefined();
    }
    // Bob with a join cookie of his own (he just connected himself) and Ann's link: still refused.
    const bobs = await bob.connect(connect, h.origin);
    expect(bobs.status).toBe(200);
    expect((await bob.get(connect, h.origin, '/connect/google', { join: join! })).status).toBe(400);
    expect((await h.store.listAccounts(userIdFor(ANN))).map((a) => a.address)).toEqual([ANN]);
    expect(queue.sent.map((j) => j.userId)).toEqual([userIdFor(ANN), userIdFor('bob@acme.com')]);
    expect(outbox.sent).toEqual([]);
  });

  it('joins in the same browser: the page names whose reports, both addresses are told with a link to undo', async () => {
    as(ANN);
    const { app: connect, queue } = app();
    const browser = new Browser();
    const [join] = joinTokens(await browser.connect(connect, h.origin));

    const page = await browser.get(connect, h.origin, '/', { join: join! });
    expect(page.status).toBe(200);
    expect(page.body).toContain(`This mailbox will join the reports of <strong>${ANN}</strong>`);

    h.clock.t = T0 + 60_000;
    as('ann.private@gmail.com');
    const res = await browser.connect(connect, h.origin, { join: join! });
    expect(res.status, res.body).toBe(200);
    expect(res.body).toContain(`This mailbox joins the reports of <strong>${ANN}</strong>`);
    const userId = userIdFor(ANN);
    const accounts = await h.store.listAccounts(userId);
    expect(accounts.map((a) => a.address).sort()).toEqual(['ann@acme.com', 'annprivate@gmail.com']);
    const joined = accounts.find((a) => a.address === 'annprivate@gmail.com')!;
    expect(queue.sent.at(-1)).toMatchObject({ userId, accountId: joined.accountId, reason: 'connected' });

    // One email to each address, each with a signed link that detaches exactly this mailbox.
    expect(outbox.sent.map((e) => e.to).sort()).toEqual(['ann@acme.com', 'annprivate@gmail.com']);
    for (const email of outbox.sent) {
      expect(email.from).toBe('sinew@acme.com');
      expect(email.text).toContain('annprivate@gmail.com');
      expect(email.text).toContain(ANN);
      const [undo] = linksIn(email.text);
      expect(verifyLink(h.secret, undo!.split('/l/')[1], h.clock.t)).toMatchObject({ action: 'detach', userId, accountId: joined.accountId });
      expect(email.html).toContain(undo!);
    }
    expect(outbox.sent.find((e) => e.to === ANN)!.subject).toBe('annprivate@gmail.com joined your Sinew reports');
    expect(outbox.sent.find((e) => e.to !== ANN)!.subject).toBe(`Your mailbox annprivate@gmail.com now feeds the Sinew reports of ${ANN}`);
    expect(logged).toContainEqual({ level: 'info', message: 'join notices sent', attrs: { userId, accountId: joined.accountId, sent: 2 } });
    expect(JSON.stringify(logged)).not.toContain('@');
  });

  it('refuses a join link after its 15 minutes, even in the right browser', async () => {
    as('cy@acme.com');
    const { app: connect } = app();
    const browser = new Browser();
    const [join] = joinTokens(await browser.connect(connect, h.origin));
    h.clock.t = T0 + 16 * 60_000;
    const res = await browser.get(connect, h.origin, '/connect/google', { join: join! });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/link expired/);
  });

  it('stores a join without a mailer, and a log line says no notice went out', async () => {
    as('dee@acme.com');
    const { app: connect } = app({ mail: undefined });
    const browser = new Browser();
    const [join] = joinTokens(await browser.connect(connect, h.origin));
    as('dee@example.org');
    expect((await browser.connect(connect, h.origin, { join: join! })).status).toBe(200);
    expect(await h.store.listAccounts(userIdFor('dee@acme.com'))).toHaveLength(2);
    expect(logged).toContainEqual({ level: 'warn', message: 'join notices skipped: no mailer configured', attrs: expect.objectContaining({ userId: userIdFor('dee@acme.com') }) });
  });

  it("a report's reconnect link reconnects only the mailbox it names: another one is refused, revoked, and nothing stored", async () => {
    const userId = userIdFor('eve@acme.com');
    const accountId = accountIdFor('google', 'eve@acme.com');
    await h.store.putUser({ userId, email: 'eve@acme.com', timeZone: 'UTC', me: ['eve@acme.com'], internalDomains: [], reportsPaused: false, createdAt: new Date(T0).toISOString() });
    await h.store.putAccount({ userId, accountId, provider: 'google', address: 'eve@acme.com', aliases: [], status: 'needs-reconnect', errorCount: 1, cursors: { history: '42' } });
    const url = new URL(reconnectUrl({ baseUrl: h.origin, secret: h.secret, userId, now: new Date(h.clock.t), provider: 'google', accountId }));
    expect(url.pathname).toBe('/connect/google');
    const link = url.searchParams.get('link')!;
    expect(verifyLink(h.secret, link, h.clock.t)).toMatchObject({ action: 'reconnect', userId, accountId, expiresAt: h.clock.t + 30 * 86_400_000 });

    // Mallory got the email forwarded and signs in with her own mailbox: refused.
    as('mallory@gmail.com');
    const { app: connect, queue } = app();
    const mallory = new Browser();
    const start = await mallory.get(connect, h.origin, '/connect/google', { link });
    expect(new URL(start.headers.location!).searchParams.get('login_hint')).toBe('eve@acme.com');
    const refused = await mallory.get(connect, h.origin, ...(await callbackOf(start)));
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('This link reconnects eve@acme.com, but you signed in as mallory@gmail.com');
    expect(refused.body).toContain('was revoked');
    expect(h.emulator.revoked).toContain(h.emulator.issuedRefreshTokens.at(-1));
    expect(await h.store.listAccounts(userId)).toEqual([expect.objectContaining({ accountId, status: 'needs-reconnect' })]);
    expect(await h.store.getUser(userIdFor('mallory@gmail.com'))).toBeUndefined();
    expect(queue.sent).toEqual([]);

    // Eve signs in as herself: the same account, active again, cursors kept, no join notice.
    as('eve@acme.com');
    const eve = new Browser();
    const res = await eve.connect(connect, h.origin, { link });
    expect(res.status, res.body).toBe(200);
    const [account] = await h.store.listAccounts(userId);
    expect(account).toMatchObject({ accountId, status: 'active', cursors: { history: '42' } });
    expect(await h.vault.open(account!.encryptedToken!, tokenContext(account!))).toBe(h.emulator.issuedRefreshTokens.at(-1));
    expect(outbox.sent).toEqual([]);

    // The report's link names no account: it reconnects a mailbox the person already has, never adds one.
    const anyOf = new URL(reconnectUrl({ baseUrl: h.origin, secret: h.secret, userId, now: new Date(h.clock.t), provider: 'google' })).searchParams.get('link')!;
    const state = verifyState(h.secret, new URL((await eve.get(connect, h.origin, '/connect/google', { link: anyOf })).headers.location!).searchParams.get('state'), { provider: 'google', now: h.clock.t });
    expect(state.data).toEqual({ r: userId });
    as('eve.other@gmail.com');
    const added = await new Browser().connect(connect, h.origin, { link: anyOf });
    expect(added.status).toBe(400);
    expect(added.body).toContain('This link reconnects a mailbox of these reports, but you signed in as eveother@gmail.com');
    expect(await h.store.listAccounts(userId)).toHaveLength(1);
  });

  it('a join link is not a reconnect link, nor the other way round, and a detach link is neither', async () => {
    const userId = userIdFor(ANN);
    const { app: connect } = app();
    const detach = signLink(h.secret, { action: 'detach', userId, accountId: accountIdFor('google', ANN) }, { now: h.clock.t });
    const res = await connect(get(h.origin, '/connect/google', { link: detach }));
    expect(res.status).toBe(400);
    expect(res.body).toContain('a &#39;detach&#39; link, not a link to connect a mailbox');
  });

  /** The callback request for a start response, after the emulator's consent. */
  async function callbackOf(start: WebResponse): Promise<[string, Record<string, string>]> {
    const back = await consentAt(start.headers.location!);
    return [back.pathname, Object.fromEntries(back.searchParams)];
  }
});
