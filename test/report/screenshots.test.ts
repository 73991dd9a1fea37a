import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { LAYOUT_PROBE, SHOTS, WIDTHS, hasChromium, launchChromium, warnWithoutChromium, type Layout } from '#test/support/email-layout.ts';
import { emailFixtures, type EmailFixture } from './email-fixtures.ts';
import { renderReport } from '#lib/report/index.ts';
import { contact, daysBefore, report } from './fixtures.ts';
import { signedLinks } from './signed-links.ts';

/**
 * The email as a phone (375 px) and a desktop client (800 px) show it, in headless
 * Chromium: nothing overflows sideways, every action is on screen, and full-page
 * screenshots are kept in artifacts/screenshots/ (test artifacts, ignored by git).
 */

warnWithoutChromium('report screenshots');

describe.skipIf(!hasChromium)('the report email in headless Chromium', () => {
  let browser: Browser;
  let fixtures: EmailFixture[];

  beforeAll(async () => {
    [browser, fixtures] = await Promise.all([
      launchChromium(),
      emailFixtures(),
    ]);
    await mkdir(SHOTS, { recursive: true });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
  });

  for (const name of ['busy', 'empty', 'first'] as const) {
    for (const width of WIDTHS) {
      it(`${name} week at ${width} px: no horizontal overflow, every action visible`, async () => {
        const f = fixtures.find((x) => x.name === name)!;
        const page = await browser.newPage({ viewport: { width, height: 800 } });
        try {
          await page.setContent(f.html, { waitUntil: 'load' });
          const layout = (await page.evaluate(LAYOUT_PROBE)) as Layout;
          expect(layout.viewport).toBe(width);
          expect(layout.scrollWidth).toBeLessThanOrEqual(width);
          expect(layout.overflowing).toEqual([]);

          const actions = page.locator('.sinew-action');
          expect(await actions.count()).toBe(f.model.actions.length);
          for (let i = 0; i < f.model.actions.length; i += 1) {
            const action = actions.nth(i);
            expect(await action.isVisible()).toBe(true);
            const box = (await action.boundingBox())!;
            expect(box.x).toBeGreaterThanOrEqual(0);
            expect(box.x + box.width).toBeLessThanOrEqual(width);
            expect(await action.innerText()).toContain(f.model.actions[i]!.title);
          }

          await page.screenshot({ path: `${SHOTS}${name}-${width}.png`, fullPage: true });
        } finally {
          await page.close();
        }
      });
    }
  }

  // Issue 12: people named in full make titles, button rows and notes longer; a phone must still hold them.
  it('long full names, organizations and notes in person and account actions at 375 px: no horizontal overflow', async () => {
    const org = 'international-freight-and-logistics-consolidated.co.uk';
    const names = ['Maximiliane-Konstantina von Hohenzollern-Sigmaringen', 'Bartholomew Alexander Montgomery-Smythe'];
    const json = report({
      contacts: [
        contact(`max@${org}`, { name: names[0]! }),
        contact(`bart@${org}`, { name: names[1]! }),
        contact('very.long.personal.address.with.many.parts@gmail.com', { name: 'Christopher Wolfeschlegelsteinhausenbergerdorff' }),
      ],
      owedReplies: [
        { address: `max@${org}`, receivedAt: daysBefore(4), waitingDays: 4 },
        { address: `bart@${org}`, receivedAt: daysBefore(5), waitingDays: 5 },
      ],
      awaitingReply: [{ address: 'very.long.personal.address.with.many.parts@gmail.com', firstSentAt: daysBefore(10), unansweredCount: 2 }],
    });
    const notes = new Map([[`max@${org}`, `Ask about the ${'Rotterdam-Felixstowe-Hamburg'.repeat(4)} route before the quarterly review`]]);
    const { html } = await renderReport(json, { links: signedLinks('long-names', Date.parse(json.asOf)), notes });
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    try {
      await page.setContent(html, { waitUntil: 'load' });
      const layout = (await page.evaluate(LAYOUT_PROBE)) as Layout;
      expect(layout.scrollWidth).toBeLessThanOrEqual(375);
      expect(layout.overflowing).toEqual([]);
      const actions = page.locator('.sinew-action');
      expect(await actions.count()).toBe(2);
      expect(await actions.nth(0).innerText()).toContain(`Reply to ${names[1]} and ${names[0]} at International-freight-and-logistics-consolidated`);
      expect(await actions.nth(1).innerText()).toContain('Follow up with Christopher Wolfeschlegelsteinhausenbergerdorff (very.long.personal.address.with.many.parts@gmail.com)');
      await page.screenshot({ path: `${SHOTS}long-names-375.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('shows the fixtures what issue 6 asks of them', () => {
    const [busy, empty, first] = fixtures;
    expect(busy!.model.actions).toHaveLength(5);
    expect(busy!.model.picture.change).not.toBeNull();
    expect(empty!.model.actions).toHaveLength(0);
    expect(empty!.model.picture.active).toBe(0);
    expect(first!.model.firstWeek).toBe(true);
    expect(first!.model.actions.length).toBeGreaterThan(0);
  });
});
