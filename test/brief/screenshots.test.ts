import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { LAYOUT_PROBE, SHOTS, WIDTHS, hasChromium, launchChromium, warnWithoutChromium, type Layout } from '#test/support/email-layout.ts';
import { renderBrief } from '#lib/brief/render.ts';
import type { BriefJson } from '#lib/brief/schema.ts';
import { everythingOn, fiveMeetingBrief, oneMeetingBrief, signedBriefLinks } from './email-fixtures.ts';

/**
 * The brief email as a phone (375 px) and a desktop client (800 px) show it, in headless
 * Chromium: a day with one meeting and a day with five meetings of up to eight external
 * attendees. Nothing overflows sideways, every meeting and attendee is on screen, the
 * HTML stays under 100 KB; full-page screenshots go to artifacts/screenshots/ (ignored by git).
 */

warnWithoutChromium('brief screenshots');

const DAYS: { name: string; json: BriefJson; html: string }[] = [
  { name: 'brief-one-meeting', json: oneMeetingBrief(), html: renderBrief(oneMeetingBrief(), { links: signedBriefLinks() }).html },
  { name: 'brief-five-meetings', json: fiveMeetingBrief(), html: renderBrief(fiveMeetingBrief(), everythingOn()).html },
];

describe.skipIf(!hasChromium)('the brief email in headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    await mkdir(SHOTS, { recursive: true });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('has the days issue 12 asks for: one meeting, and five with up to eight external attendees', () => {
    expect(DAYS[0]!.json.meetings).toHaveLength(1);
    expect(DAYS[1]!.json.meetings).toHaveLength(5);
    expect(Math.max(...DAYS[1]!.json.meetings.map((m) => m.attendees.length))).toBe(8);
    for (const d of DAYS) expect(Buffer.byteLength(d.html), d.name).toBeLessThan(100_000);
  });

  for (const day of DAYS) {
    for (const width of WIDTHS) {
      it(`${day.name} at ${width} px: no horizontal overflow, every meeting and attendee visible`, async () => {
        const page = await browser.newPage({ viewport: { width, height: 800 } });
        try {
          await page.setContent(day.html, { waitUntil: 'load' });
          const layout = (await page.evaluate(LAYOUT_PROBE)) as Layout;
          expect(layout.viewport).toBe(width);
          expect(layout.scrollWidth).toBeLessThanOrEqual(width);
          expect(layout.overflowing).toEqual([]);

          const meetings = page.locator('.sinew-meeting');
          expect(await meetings.count()).toBe(day.json.meetings.length);
          const attendees = page.locator('.sinew-attendee');
          const expected = day.json.meetings.flatMap((m) => m.attendees);
          expect(await attendees.count()).toBe(expected.length);
          for (let i = 0; i < expected.length; i += 1) {
            const a = attendees.nth(i);
            expect(await a.isVisible()).toBe(true);
            const box = (await a.boundingBox())!;
            expect(box.x).toBeGreaterThanOrEqual(0);
            expect(box.x + box.width).toBeLessThanOrEqual(width);
            expect(await a.innerText()).toContain(expected[i]!.name?.split(/[ ,]/)[0] ?? expected[i]!.address);
          }
          await page.screenshot({ path: `${SHOTS}${day.name}-${width}.png`, fullPage: true });
        } finally {
          await page.close();
        }
      });
    }
  }
});
