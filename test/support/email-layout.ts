import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

/**
 * What the email screenshot tests (the weekly report's and the brief's) share: Debian's
 * chromium (`.ci/run` installs it; SINEW_CHROMIUM points elsewhere, e.g. to try the skip),
 * the widths of a phone and a desktop client, where the screenshots go (ignored by git),
 * and the in-page probe of what overflows sideways.
 */

export const CHROMIUM = process.env.SINEW_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const WIDTHS = [375, 800] as const;
export const SHOTS = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));

/** Headless Chromium with the project's flags. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

/** The one allowed skip (STYLE.md): a machine without the browser, said out loud. */
export function warnWithoutChromium(what: string): void {
  if (!hasChromium) console.warn(`${what} skipped: they need Debian's chromium at ${CHROMIUM} (apt-get install -y chromium)`);
}

export interface Layout {
  viewport: number;
  scrollWidth: number;
  overflowing: string[];
}

/**
 * Runs in the page (a string: the project's TypeScript has no DOM types): the viewport
 * and document widths, and every visible element whose box leaves the viewport sideways.
 * Hidden elements (the preheader, Outlook-only parts) have no box to overflow with.
 */
export const LAYOUT_PROBE = `(() => {
  const viewport = document.documentElement.clientWidth;
  const overflowing = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.left < -0.5 || r.right > viewport + 0.5) {
      overflowing.push('<' + el.tagName.toLowerCase() + '> ' + Math.round(r.left) + '..' + Math.round(r.right) + ': ' + (el.textContent || '').trim().slice(0, 60));
    }
  }
  return { viewport, scrollWidth: document.documentElement.scrollWidth, overflowing };
})()`;
