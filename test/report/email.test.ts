import { beforeAll, describe, expect, it } from 'vitest';
import mjml2html from 'mjml';
import { verifyLink } from '#lib/links/token.ts';
import { mjmlOf } from '#lib/report/html.ts';
import { buildModel } from '#lib/report/model.ts';
import { renderReport } from '#lib/report/index.ts';
import { emailFixtures, type EmailFixture } from './email-fixtures.ts';
import { LINK_BASE, LINK_SECRET, signedLinks, tokenOf } from './signed-links.ts';

/**
 * Issue 6's proof on the busy, empty and first weeks: the MJML validates strictly, the
 * HTML stays under Gmail's clip, every link is absolute and signed, and the text part
 * carries every action and every link.
 */

let fixtures: EmailFixture[];
beforeAll(async () => {
  fixtures = await emailFixtures();
}, 30_000);

/** Every href of an HTML document, entity-decoded as a browser would follow it. */
function hrefs(html: string): string[] {
  return [...html.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}

describe('the weekly email on the three fixtures', () => {
  it('passes MJML’s strict validation', async () => {
    for (const f of fixtures) {
      const result = await mjml2html(mjmlOf(f.model), { validationLevel: 'strict', fonts: {} });
      expect(result.errors, f.name).toEqual([]);
    }
  });

  it('keeps the busy week’s HTML well under Gmail’s 102 KB clip', () => {
    const busy = fixtures.find((f) => f.name === 'busy')!;
    expect(Buffer.byteLength(busy.html)).toBeLessThan(90_000);
    for (const f of fixtures) expect(f.html).not.toMatch(/<(svg|script|img)\b/i);
  });

  it('signs every link: absolute https, Sinew’s own under /l/<token>, each token verifying', () => {
    for (const f of fixtures) {
      const now = Date.parse(f.json.asOf);
      const links = hrefs(f.html);
      // Pause, unsubscribe and disconnect at least; per action, fine, snooze and mute.
      expect(links.length, f.name).toBeGreaterThanOrEqual(3 + 3 * f.model.actions.length);
      for (const href of links) {
        expect(href).toMatch(/^https:\/\//);
        expect(href).not.toMatch(/javascript:/i);
        const url = new URL(href);
        expect(url.origin).toBe(LINK_BASE);
        expect(url.pathname.startsWith('/l/'), href).toBe(true);
        const token = tokenOf(url);
        expect(token, href).toBeDefined();
        const claims = verifyLink(LINK_SECRET, token, now);
        if (['fine', 'snooze', 'mute'].includes(claims.action)) {
          const addresses = f.model.actions.flatMap((a) => a.contacts.map((c) => c.address));
          expect(addresses).toContain(claims.contact);
        }
      }
    }
  });

  it('offers the busy week a signed time-zone link in the footer of both parts, naming the zone', () => {
    const busy = fixtures.find((f) => f.name === 'busy')!;
    const now = Date.parse(busy.json.asOf);
    const href = busy.model.links.timeZone!;
    expect(hrefs(busy.html)).toContain(href);
    expect(verifyLink(LINK_SECRET, tokenOf(new URL(href)), now)).toMatchObject({ action: 'timezone', userId: 'demo-user' });
    // In the footer: after the last action, with the zone the dates are written in.
    expect(busy.html.lastIndexOf(href)).toBeGreaterThan(busy.html.lastIndexOf('class="sinew-action"'));
    expect(busy.html).toMatch(new RegExp(`Dates are in ${busy.model.timeZone} time · <a href="[^"]+"[^>]*>Change time zone</a>`));
    expect(busy.text).toContain(`Dates are in ${busy.model.timeZone} time.\nChange time zone: ${href}\n`);
    expect(busy.text.indexOf(href)).toBeGreaterThan(busy.text.indexOf('THE PICTURE'));
  });

  it('says at the top when a mailbox needs reconnecting, with a signed reconnect link', async () => {
    const busy = fixtures.find((f) => f.name === 'busy')!;
    const now = Date.parse(busy.json.asOf);
    const out = await renderReport(busy.json, { ...busy.options, needsReconnect: [busy.json.user] });
    const banner = out.html.indexOf('Sinew can no longer read');
    expect(banner).toBeGreaterThan(0);
    expect(banner).toBeLessThan(out.html.indexOf('class="sinew-action"'));
    const reconnect = hrefs(out.html).find((h) => h.includes('/connect/'))!;
    expect(new URL(reconnect).origin).toBe(LINK_BASE);
    expect(verifyLink(LINK_SECRET, tokenOf(new URL(reconnect)), now)).toMatchObject({ action: 'reconnect', userId: 'demo-user' });
    expect(out.text.indexOf('Sinew can no longer read')).toBeLessThan(out.text.indexOf('WHAT TO DO THIS WEEK'));
    expect(out.text).toContain(`Reconnect: ${reconnect}`);
  });

  it('accepts a local loopback base for the links, still absolute and signed', async () => {
    const first = fixtures.find((f) => f.name === 'first')!;
    const now = Date.parse(first.json.asOf);
    const out = await renderReport(first.json, { ...first.options, links: signedLinks('new-user', now, 'http://127.0.0.1:8787') });
    const links = hrefs(out.html);
    expect(links.length).toBeGreaterThan(0);
    for (const href of links) {
      expect(href.startsWith('http://127.0.0.1:8787/l/')).toBe(true);
      expect(() => verifyLink(LINK_SECRET, href.split('/l/')[1], now)).not.toThrow();
    }
  });

  it('carries every action in the text part: who, summary, evidence, suggestion, and every link', () => {
    for (const f of fixtures) {
      for (const a of f.model.actions) {
        expect(f.text).toContain(a.title);
        for (const c of a.contacts.slice(0, 5)) expect(f.text).toContain(c.displayName);
        expect(f.text).toContain(a.summary);
        for (const e of a.evidence) expect(f.text).toContain(e);
        expect(f.text).toContain(a.suggestion);
      }
      for (const href of hrefs(f.html)) expect(f.text, f.name).toContain(href);
    }
  });

  it('tells an empty week and a first week something useful', () => {
    const empty = fixtures.find((f) => f.name === 'empty')!;
    expect(empty.subject).toBe('A quiet week: nothing needs you');
    for (const part of [empty.html, empty.text]) {
      expect(part).toContain('Nothing needs you this week.');
      expect(part).toContain('No conversations with people in the last 90 days.');
      expect(part).toContain('never reads subjects or message bodies');
    }
    const first = fixtures.find((f) => f.name === 'first')!;
    expect(first.subject).toBe('Raj Patel (Beta-industries) is waiting on your reply — and 1 more thing');
    for (const part of [first.html, first.text]) {
      expect(part).toContain('Your first weekly report.');
      expect(part).toContain('your first report: next week shows what changed');
    }
  });

  it('writes the busy week’s dates in the user’s time zone and compares with last week', () => {
    const busy = fixtures.find((f) => f.name === 'busy')!;
    expect(busy.model.timeZone).toBe('Europe/London');
    expect(busy.model.picture.change).not.toBeNull();
    expect(busy.text).toMatch(/active relationships \((\+|-|±)\d+ since last week\)/);
    // Kiritimati (UTC+14) and Pago Pago (UTC−11) are 25 hours apart: every date differs.
    const east = buildModel(busy.json, { timeZone: 'Pacific/Kiritimati' }).actions[0]!.evidence[0];
    const west = buildModel(busy.json, { timeZone: 'Pacific/Pago_Pago' }).actions[0]!.evidence[0];
    expect(east).toMatch(/^Received: \d+ \w{3}$/);
    expect(east).not.toBe(west);
  });
});
