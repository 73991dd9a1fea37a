import { describe, expect, it } from 'vitest';
import mjml2html from 'mjml';
import { escapeHtml, mjmlOf, renderHtml } from '#lib/report/html.ts';
import { buildModel } from '#lib/report/model.ts';
import { busyReport, contact, daysBefore, report } from './fixtures.ts';

const EVIL = '<script>alert("x")</script> Evil';

const hostile = report({
  contacts: [contact('evil@acme.com', { name: EVIL, health: 90 }), contact('o"neil@acme.com', { name: 'Ann <b>Lee</b>' })],
  owedReplies: [{ address: 'evil@acme.com', receivedAt: daysBefore(4), waitingDays: 4 }],
  accounts: [{ domain: 'acme.com', activeContacts: 2, health: 80, singleThreaded: false }],
});

describe('renderHtml', () => {
  it('produces a valid MJML document (strict validation) without SVG or script', async () => {
    const model = buildModel(busyReport(), { links: allLinks, needsReconnect: ['me@example.com'] });
    const result = await mjml2html(mjmlOf(model), { validationLevel: 'strict', fonts: {} });
    expect(result.errors).toEqual([]);
    const html = await renderHtml(model);
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).not.toMatch(/<svg/i);
    expect(html).not.toMatch(/<script/i);
  });

  it('escapes every name and address from mail', async () => {
    const html = await renderHtml(buildModel(hostile));
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<b>Lee</b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Evil');
    expect(html).toContain('Ann &lt;b&gt;Lee&lt;/b&gt;');
    expect(escapeHtml(`<a href='x'>&`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;');
  });

  it('stays well under Gmail’s 102 KB clip for a busy report (300 contacts, every kind of flag)', async () => {
    const html = await renderHtml(buildModel(busyReport(300), { previous: busyReport(250), links: allLinks }));
    expect(Buffer.byteLength(html)).toBeLessThan(90_000);
  });

  it('draws the health distribution as table-cell bars', async () => {
    const html = await renderHtml(buildModel(report({ contacts: [contact('a@x.com', { health: 80 }), contact('b@x.com', { health: 20 }), contact('c@x.com', { health: 30 })] })));
    // One of three strong: a 33% bar and its 67% track.
    expect(html).toContain('<td width="33%"');
    expect(html).toContain('<td width="67%"');
  });

  it('renders links only when the deployment gives them, and only http(s)', async () => {
    const plain = await renderHtml(buildModel(hostile));
    expect(plain).not.toContain('<a ');
    const linked = await renderHtml(buildModel(hostile, { links: allLinks }));
    expect(linked).toContain('href="https://sinew.example/unsubscribe?t=abc"');
    expect(linked).toContain('href="https://sinew.example/manage?t=abc&amp;x=1"');
    expect(linked).toContain('href="https://sinew.example/a?c=evil%40acme.com&amp;do=snooze"');
    const hostileLink = await renderHtml(
      buildModel(hostile, { links: { unsubscribe: 'javascript:alert(1)', pause: '/relative', contactAction: () => 'JavaScript:alert(1)' } }),
    );
    expect(hostileLink).not.toMatch(/javascript:/i);
    expect(hostileLink).not.toContain('<a ');
  });

  it('says what Sinew reads in the footer', async () => {
    const html = await renderHtml(buildModel(hostile));
    expect(html).toContain('metadata only');
    expect(html).toContain('never reads subjects or message bodies');
  });

  it('names the zone its dates are in, with a change link only when given and only http(s)', async () => {
    const plain = await renderHtml(buildModel(hostile, { timeZone: 'Europe/Paris' }));
    expect(plain).toContain('Dates are in Europe/Paris time');
    expect(plain).not.toContain('Change time zone');
    expect(await renderHtml(buildModel(hostile))).toContain('Dates are in UTC<');
    const linked = await renderHtml(buildModel(hostile, { timeZone: 'Europe/Paris', links: { timeZone: 'https://sinew.example/l/tz' } }));
    expect(linked).toMatch(/Dates are in Europe\/Paris time · <a href="https:\/\/sinew\.example\/l\/tz"[^>]*>Change time zone<\/a>/);
    const hostileLink = await renderHtml(buildModel(hostile, { links: { timeZone: 'javascript:alert(1)' } }));
    expect(hostileLink).not.toMatch(/javascript:/i);
    expect(hostileLink).not.toContain('Change time zone');
  });

  it('gives an empty first week a short useful email', async () => {
    const html = await renderHtml(buildModel(report({ contacts: [contact('ann@acme.com', { name: 'Ann Lee', health: 75 })] })));
    expect(html).toContain('Nothing needs you this week.');
    expect(html).toContain('Your first weekly report.');
    expect(html).toContain('your first report: next week shows what changed');
    expect(html).toContain('Ann Lee');
  });

  it('explains a week without any conversation instead of showing empty charts', async () => {
    const html = await renderHtml(buildModel(report({}), { previous: report({ contacts: [contact('ann@acme.com')] }) }));
    expect(html).toContain('No conversations with people in the last 90 days.');
    expect(html).toContain('(−1 since last week)');
    expect(html).not.toContain('Strongest');
    expect(html).not.toContain('<td width=');
  });

  it('draws each action with its summary, evidence, suggestion and answer buttons', async () => {
    const model = buildModel(hostile, { links: allLinks });
    const html = await renderHtml(model);
    const action = model.actions[0]!;
    expect(html.match(/class="sinew-action"/g)).toHaveLength(1);
    for (const part of [action.title, action.summary, action.suggestion, ...action.evidence]) expect(html).toContain(escapeHtml(part));
    expect(html).toContain('>This is fine</a>');
    expect(html).toContain('>Snooze 30 days</a>');
    expect(html).toContain('>Mute</a>');
  });

  it('warns at the top when an account needs reconnecting', async () => {
    const html = await renderHtml(buildModel(hostile, { needsReconnect: ['me@example.com'], links: { reconnect: 'https://sinew.example/r' } }));
    expect(html.indexOf('can no longer read')).toBeLessThan(html.indexOf('What to do this week'));
    expect(html).toContain('href="https://sinew.example/r"');
  });
});

const allLinks = {
  manage: 'https://sinew.example/manage?t=abc&x=1',
  pause: 'https://sinew.example/pause',
  disconnect: 'https://sinew.example/disconnect',
  unsubscribe: 'https://sinew.example/unsubscribe?t=abc',
  timeZone: 'https://sinew.example/timezone?t=abc',
  contactAction: (address: string, action: string) => `https://sinew.example/a?c=${encodeURIComponent(address)}&do=${action}`,
};
