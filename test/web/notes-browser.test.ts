import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { startWebServer, type LocalWebServer } from '#lib/local/web-server.ts';
import { notesLink } from '#lib/links/notes-links.ts';
import { addNote, listNotes } from '#lib/notes/notes.ts';
import { createLinksApp } from '#lib/web/links-app.ts';
import { routeByPrefix } from '#lib/web/router.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { aUser } from '#test/links/fixtures.ts';
import { partition } from '#test/links/partition.ts';

/**
 * The notes page in a real browser (headless Chromium from Debian): a hostile note shows
 * as text and runs nothing, the page fits a 375 px phone, adding, editing and deleting
 * work through the page's own forms (the browser sends its fetch metadata and origin),
 * and a form on another origin that posts to the link, form token and all, is refused.
 */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`notes-browser: skipped, needs Debian's chromium at ${CHROMIUM} (apt-get install chromium)`);
const SHOTS = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));

const HOSTILE = `<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> Ann's "VIP" & co`;
const ANN = 'ann@acme.com';

describe.skipIf(!hasChromium)('notes page in Chromium', () => {
  let db: TestDynamo;
  let web: LocalWebServer;
  let evil: LocalWebServer;
  let browser: Browser;
  let context: BrowserContext;
  const vault = LocalKeyVault.fromKey(Buffer.alloc(32, 4));
  const secret = Buffer.alloc(32, 8);
  const userId = 'u-notes-browser';
  // Each reading a minute later: notes added one after the other are told apart by time.
  let clock = Date.UTC(2026, 10, 23, 9, 30);
  const now = () => new Date((clock += 60_000));
  let link: string;
  /** The cross-site form's target, set once the link and a form token are known. */
  let forged = { action: '', form: '' };

  beforeAll(async () => {
    db = await startTestDynamo();
    const store = db.store();
    await store.putUser(aUser(userId, { timeZone: 'Europe/Paris' }));
    await addNote({ store, vault, now }, userId, ANN, `${HOSTILE}\nsecond line`);
    web = await startWebServer(routeByPrefix([{ prefix: '/l/', app: createLinksApp({ store, vault, now, linkSecret: async () => secret }) }]));
    // Another origin (another port): a page with a form aimed at the link.
    evil = await startWebServer(async () => ({
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: `<!doctype html><title>Win a prize</title><form method="post" action="${forged.action}">` +
        `<input type="hidden" name="op" value="add"><input type="hidden" name="text" value="forged by another site">` +
        `<input type="hidden" name="form" value="${forged.form}"><button type="submit">Claim</button></form>`,
    }));
    link = notesLink({ baseUrl: web.url, secret, userId, now: now() }, ANN);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    context = await browser.newContext({ locale: 'en-GB', viewport: { width: 375, height: 800 } });
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await evil?.close();
    await db?.close();
  });

  it('shows a hostile note as text, runs nothing, and fits a 375 px screen', async () => {
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => void dialogs.push(d.message()));
    await page.goto(link);
    expect(await page.title()).toBe(`Notes on ${ANN} · Sinew`);
    const text = await page.locator('.note .text').first().innerText();
    expect(text).toBe(`${HOSTILE}\nsecond line`);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    expect(await page.locator('.note img, .note script').count()).toBe(0);
    expect(dialogs).toStrictEqual([]);
    const { scrollWidth, clientWidth } = await page.evaluate<{ scrollWidth: number; clientWidth: number }>(
      '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
    );
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}notes-375.png`, fullPage: true });
    await page.close();
  });

  it('adds, edits and deletes through the page\'s own forms', async () => {
    const page = await context.newPage();
    await page.goto(link);
    await page.getByLabel('New note').fill('Prefers calls before 10');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.waitForURL(/\?done=added$/);
    expect(await page.getByRole('status').innerText()).toBe('Note added.');
    expect(await page.locator('.note .text').first().innerText()).toBe('Prefers calls before 10');

    await page.locator('.note').first().getByText('Edit', { exact: true }).click();
    await page.locator('.note').first().getByLabel('Edit this note').fill('Prefers calls after 10');
    await page.locator('.note').first().getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\?done=edited$/);
    expect(await page.locator('.note .text').first().innerText()).toBe('Prefers calls after 10');

    await page.locator('.note').first().getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(/\?done=deleted$/);
    expect(await page.getByRole('status').innerText()).toBe('Note deleted.');
    const notes = await listNotes({ store: db.store(), vault }, userId);
    expect(notes.map((x) => x.text)).toStrictEqual([`${HOSTILE}\nsecond line`]);
    await page.close();
  });

  it('refuses a form on another origin that posts to the link, even with a valid form token', async () => {
    const page = await context.newPage();
    await page.goto(link);
    forged = { action: link, form: (await page.locator('input[name="form"]').first().getAttribute('value'))! };
    const before = JSON.stringify(await partition(db, userId));
    await page.goto(evil.url);
    const [response] = await Promise.all([page.waitForResponse((r) => r.url() === link && r.request().method() === 'POST'), page.getByRole('button', { name: 'Claim' }).click()]);
    expect(response.status()).toBe(403);
    expect(await page.content()).toContain('this form was not sent from your Sinew notes page');
    expect(JSON.stringify(await partition(db, userId))).toBe(before);
    await page.close();
  });
});
