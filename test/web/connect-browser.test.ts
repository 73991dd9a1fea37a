import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { startWebServer, type LocalWebServer } from '#lib/local/web-server.ts';
import { signLink, verifyLink } from '#lib/links/token.ts';
import { tokenContext } from '#lib/connect/accounts.ts';
import { userIdFor } from '#lib/connect/identity.ts';
import { GoogleOAuth } from '#lib/providers/google/oauth.ts';
import { MemoryQueue } from '#test/support/memory-queue.ts';
import type { SyncJob } from '#lib/queue/jobs.ts';
import { createConnectApp } from '#lib/web/connect-app.ts';
import { htmlResponse, parseForm, type WebRequest } from '#lib/web/http.ts';
import { createLinksApp } from '#lib/web/links-app.ts';
import { routeByPrefix } from '#lib/web/router.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { GoogleOAuthEmulator, serveOnLoopback } from '#test/support/google/oauth-emulator.ts';
import { TEST_CLIENT } from '#test/support/google/world.ts';

/**
 * The connect flow in a real browser (headless Chromium from Debian): the connect page,
 * "Connect Google", the emulator's consent page, the success page; then the account is
 * in the store with its token sealed and a sync is enqueued. The browser's time zone is
 * Europe/Paris, which the pages must detect.
 */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`connect-browser: skipped, needs Debian's chromium at ${CHROMIUM} (apt-get install chromium)`);

describe.skipIf(!hasChromium)('connect flow in Chromium', () => {
  let dynamo: TestDynamo;
  let emulatorServer: { url: string; close(): Promise<void> };
  let web: LocalWebServer;
  let browser: Browser;
  let context: BrowserContext;
  const emulator = new GoogleOAuthEmulator({ ...TEST_CLIENT });
  const queue = new MemoryQueue<SyncJob>();
  const vault = LocalKeyVault.fromKey(randomBytes(32));
  const secret = randomBytes(32);
  const now = Date.UTC(2026, 10, 23, 9, 30);
  /** What the time-zone link received (the links app's part, stubbed here). */
  const linkPosts: WebRequest[] = [];

  beforeAll(async () => {
    emulator.interactive = true;
    [dynamo, emulatorServer] = await Promise.all([startTestDynamo(), serveOnLoopback(emulator.handle)]);
    const oauth = new GoogleOAuth({ ...TEST_CLIENT, authUrl: `${emulatorServer.url}/o/oauth2/v2/auth`, tokenUrl: `${emulatorServer.url}/token` });
    const connect = createConnectApp({
      store: dynamo.store(),
      vault,
      syncQueue: queue,
      secret: async () => secret,
      providers: { google: async () => oauth },
      allowedDomains: ['acme.com'],
      now: () => new Date(now),
    });
    const links = async (req: WebRequest) => {
      if (req.method === 'POST') linkPosts.push(req);
      return htmlResponse(200, '<!doctype html><title>Saved</title><p>Saved.</p>');
    };
    web = await startWebServer(routeByPrefix([{ prefix: '/l/', app: links }, { prefix: '/', app: connect }]));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    context = await browser.newContext({ timezoneId: 'Europe/Paris', locale: 'en-GB' });
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await emulatorServer?.close();
    await dynamo?.close();
  });

  it('connects Google from the connect page: consent, success page, account stored, sync enqueued', async () => {
    emulator.user = { email: 'ann@acme.com', sub: '1000001' };
    const page = await context.newPage();
    await page.goto(`${web.url}/`);
    expect(await page.title()).toBe('Sinew: connect your mailbox');
    await page.getByRole('link', { name: 'Connect Google' }).click();

    await page.waitForURL((url) => url.pathname === '/o/oauth2/v2/auth');
    expect(await page.locator('h1').textContent()).toBe('Sinew wants to access your Google Account');
    expect(await page.locator('li').allTextContents()).toContain('https://www.googleapis.com/auth/gmail.metadata');
    await page.getByRole('button', { name: 'Allow' }).click();

    await page.waitForURL((url) => url.pathname === '/oauth/google/callback');
    expect(await page.locator('h1').textContent()).toBe('Connected ann@acme.com');
    expect(await page.locator('#tz-status').textContent()).toBe('Detected from your browser: Europe/Paris.');
    expect(await page.inputValue('#timeZone')).toBe('Europe/Paris');
    const action = (await page.locator('#tz-form').getAttribute('action'))!;
    const userId = userIdFor('ann@acme.com');
    expect(verifyLink(secret, action.replace(/^\/l\//, ''), now)).toMatchObject({ action: 'timezone', userId });
    // The nonce cookie was cleared once used.
    expect((await context.cookies()).map((c) => c.name)).not.toContain('__Host-sinew-connect-google');

    const user = await dynamo.store().getUser(userId);
    expect(user).toMatchObject({ email: 'ann@acme.com', timeZone: 'Europe/Paris' });
    const [account] = await dynamo.store().listAccounts(userId);
    expect(await vault.open(account!.encryptedToken!, tokenContext(account!))).toBe(emulator.issuedRefreshTokens.at(-1));
    expect(queue.sent).toEqual([{ v: 1, userId, accountId: account!.accountId, reason: 'connected', slot: new Date(now).toISOString() }]);
    expect(linkPosts).toEqual([]);
    await page.close();
  });

  it('saves the browser\'s zone through the signed time-zone link when the connect page did not pass it', async () => {
    emulator.user = { email: 'bo@acme.com', sub: '1000002' };
    const page = await context.newPage();
    // Straight to the start, as from a bookmark: no zone in the state, so the user is recorded in UTC.
    await page.goto(`${web.url}/connect/google`);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.pathname === '/oauth/google/callback');
    await page.locator('#tz-status', { hasText: 'Time zone set to Europe/Paris' }).waitFor();
    expect(linkPosts).toHaveLength(1);
    const post = linkPosts[0]!;
    expect(parseForm(post.body)).toEqual({ timeZone: 'Europe/Paris' });
    expect(verifyLink(secret, post.path.replace(/^\/l\//, ''), now)).toMatchObject({ action: 'timezone', userId: userIdFor('bo@acme.com') });
    await page.close();
  });

  it("runs the time-zone link page's script under its nonce: the field is prefilled with the browser's zone", async () => {
    // Recorded in UTC: only the script can put Europe/Paris in the field.
    const userId = userIdFor('cy@acme.com');
    await dynamo.store().putUser({ userId, email: 'cy@acme.com', timeZone: 'UTC', me: ['cy@acme.com'], internalDomains: [], reportsPaused: false, createdAt: new Date(now).toISOString() });
    const links = await startWebServer(createLinksApp({ store: dynamo.store(), now: () => new Date(now), linkSecret: async () => secret }));
    const page = await context.newPage();
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    try {
      await page.goto(`${links.url}/l/${signLink(secret, { action: 'timezone', userId }, { now })}`);
      expect(await page.inputValue('#tz')).toBe('Europe/Paris');
      expect(blocked).toEqual([]);
    } finally {
      await page.close();
      await links.close();
    }
  });
});
