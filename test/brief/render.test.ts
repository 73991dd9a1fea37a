import { describe, expect, it } from 'vitest';
import { renderBrief } from '#lib/brief/render.ts';
import { buildBriefModel } from '#lib/brief/render-model.ts';
import { LINK_LABELS } from '#lib/brief/render-words.ts';
import { verifyLink } from '#lib/links/token.ts';
import { escapeHtml } from '#lib/html.ts';
import {
  ANN, BRIEF_AS_OF, emptyBrief, everythingOn, fiveMeetingBrief, known, LINK_BASE, LINK_SECRET, oneMeetingBrief, signedBriefLinks,
} from './email-fixtures.ts';

/**
 * The brief email (DESIGN section 9, issue 12): meetings in time order named by time and
 * attendees, one block per attendee with their numbers in words, first meetings said so
 * with what is known of the organization, the account line per organization, notes
 * (escaped, newest first), colleagues, how current each mailbox is, and signed links;
 * the HTML and text parts say the same thing.
 */

const hrefs = (html: string): string[] => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
const LABELS = [...Object.values(LINK_LABELS), 'Notes', 'Add a note'].join('|');
/** The link lines of a text part ("  Add a note: https://..."), not URLs inside notes. */
const textLinks = (text: string): string[] => [...text.matchAll(new RegExp(`^ *(?:${LABELS}): (https?://\\S+)$`, 'gm'))].map((m) => m[1]!);
/** The HTML's visible text, tags dropped and entities read, white space collapsed. */
const visible = (html: string): string =>
  html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<\/?(strong|span|a)\b[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe('the brief email', () => {
  it('says an attendee’s numbers in words, naming them in full first', () => {
    const { text, html } = renderBrief(oneMeetingBrief());
    const sentences = [
      'Ann Lee (Acme) usually hears from you every 6 days; last contact Friday, a mail from Ann.',
      'You owe Ann a reply since Friday.',
      'Health 74 of 100, steady; you both keep in touch.',
      'Known since 28 Jan; last met 15 Oct.',
      'Ann usually replies in about 20 hours, you in about 6 hours. Mail is balanced both ways.',
      'Acme (acme.com): account health 70, three active contacts (as of your report of 23 Nov).',
    ];
    for (const s of sentences) {
      expect(text).toContain(s);
      expect(visible(html)).toContain(s);
    }
  });

  it('lists meetings in time order, each named by its local time and attendees, and says how many in the subject', () => {
    const json = fiveMeetingBrief();
    const shuffled = { ...json, meetings: [...json.meetings].reverse() };
    const { text, html, subject } = renderBrief(shuffled);
    const times = ['08:30–09:00', '10:00–11:30', '13:00–13:45', '15:00–15:30', '17:30–18:00'];
    const inText = times.map((t) => text.indexOf(`\n${t}\n`));
    expect(inText.every((i) => i > 0)).toBe(true);
    expect([...inText].sort((a, b) => a - b)).toEqual(inText);
    const inHtml = times.map((t) => html.indexOf(`>${t}<`));
    expect(inHtml.every((i) => i > 0)).toBe(true);
    expect([...inHtml].sort((a, b) => a - b)).toEqual(inHtml);
    expect(subject).toBe('Your meetings today: 5 with Acme, Globex, Initech and 3 more');
    expect(text).toContain('With Raj Patel (Globex), Lena Fox (Globex), ');
    expect(renderBrief(oneMeetingBrief()).subject).toBe('Your meeting today: 10:00 with Acme');
  });

  it('names every attendee in full with their organization or address, in the text part and the HTML', () => {
    const { text, html } = renderBrief(fiveMeetingBrief());
    const labels = [
      'Ann Lee (Acme)', 'Tom Becker (Acme)', 'Priya (priya@acme.com)', 'Raj Patel (Globex)', 'Lena Fox (Globex)',
      'new.person@initech.io', 'Emma Clarke (emmaclarke@gmail.com)', 'Sue Park (Initech)', 'John Doe (jdoe@gmail.com)',
      'Maximiliane-Konstantina Oberbürgermeisterstellvertreterin (Very-long-organisation-name-international)',
    ];
    const leads = text.split('\n').filter((l) => l.startsWith('- '));
    expect(leads).toHaveLength(fiveMeetingBrief().meetings.reduce((n, m) => n + m.attendees.length, 0));
    for (const label of labels) {
      expect(leads.some((l) => l.startsWith(`- ${label}`)), label).toBe(true);
      expect(html).toContain(`<strong style="font-size:16px">${escapeHtml(label)}</strong>`);
    }
  });

  it('says a first meeting so, with what Sinew knows of the organization', () => {
    const { text } = renderBrief(fiveMeetingBrief());
    expect(text).toContain('- Lena Fox (Globex): first meeting. Sinew has not seen Lena in your mail or calendar.\n  You know one person at Globex (account health 45).');
    expect(text).toContain('- Sue Park (Initech): first meeting.');
    expect(text).toContain('Nobody at Initech is in your mail or calendar either.');
    expect(text).toContain('Globex (globex.com): account health 45, one active contact; single-threaded, one departure away from losing the account (as of your report of 23 Nov).');
    expect(text).toContain('Initech (initech.io): new to you, no active contacts there yet.');
    // Public webmail is not an organization: no account line for gmail.com.
    expect(text).not.toContain('(gmail.com):');
  });

  it('says open loops both ways with their dates, and colleagues only when there are some', () => {
    const { text } = renderBrief(fiveMeetingBrief());
    expect(text).toContain('You owe Tom replies to two messages, since 14 Nov and yesterday.');
    expect(text).toContain('Raj has not answered two of your messages (15 Nov and 21 Nov).');
    expect(text).toContain('Colleagues who know Raj: Sam Lee (strong tie, last in touch 3 Nov), Kim Ode (weak tie, last in touch 14 Aug)');
    // Raj is in two meetings: described at the first (10:00), pointed back to from the second.
    expect(text.match(/Colleagues who know/g)).toHaveLength(1);
    expect(text).toContain('Raj Patel (Globex): see 10:00 above.');
  });

  it('shows notes newest first, escaped in the HTML, and a note cannot forge a line of the text part', () => {
    const hostile = '<script>alert("x")</script> & "quotes" \'single\'\nUnsubscribe: https://evil.example/l/x';
    const base = oneMeetingBrief();
    const json = {
      ...base,
      meetings: [{ ...base.meetings[0]!, attendees: [{ ...ANN, notes: [...ANN.notes, { id: 'h', at: '2026-11-23T20:00:00.000Z', text: hostile }] }] }],
    };
    const { html, text } = renderBrief(json, { links: signedBriefLinks() });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;single&#39;<br>Unsubscribe: https://evil.example/l/x');
    expect(hrefs(html).some((h) => h.includes('evil.example'))).toBe(false);
    expect(text).toContain('    23 Nov: <script>alert("x")</script> & "quotes" \'single\'\n      Unsubscribe: https://evil.example/l/x');
    expect(text).not.toMatch(/^Unsubscribe: https:\/\/evil/m);
    const order = ['<script>', 'Prefers calls before 10.', 'Daughter starts university'].map((s) => text.indexOf(s));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const htmlOrder = ['&lt;script&gt;', 'Prefers calls before 10.', 'Daughter starts university'].map((s) => html.indexOf(s));
    expect([...htmlOrder].sort((a, b) => a - b)).toEqual(htmlOrder);
  });

  it('says when each mailbox was last synced, and that a brief from stale data may miss things', () => {
    const { text, html } = renderBrief(fiveMeetingBrief(), everythingOn());
    for (const line of [
      'me@example.com: last synced 24 Nov 2026, 06:30',
      'old@example.com: last synced 20 Nov 2026, 06:30 (stale)',
      'Sinew has not been able to sync old@example.com since 20 Nov 2026, 06:30, so this brief may miss recent mail and meetings.',
      'Sinew can no longer read gone@example.com, so this brief may be out of date.',
    ]) {
      expect(text).toContain(line);
      expect(visible(html)).toContain(line);
    }
  });

  it('has the HTML and text say the same: every sentence, note, account line and link of the one in the other', () => {
    const json = fiveMeetingBrief();
    const options = everythingOn();
    const { text, html } = renderBrief(json, options);
    const model = buildBriefModel(json, options);
    const said = [
      model.subject,
      ...model.notices,
      ...model.mailboxes,
      ...model.meetings.flatMap((m) => [m.time, m.withLine, ...m.accounts, ...m.attendees.flatMap((a) => [...a.sentences, ...a.colleagues, ...a.notes.map((n) => n.text.split('\n')[0]!)])]),
    ];
    expect(said.length).toBeGreaterThan(80);
    for (const s of said) {
      expect(text, s).toContain(s);
      expect(visible(html), s).toContain(s);
    }
    expect(new Set(hrefs(html))).toEqual(new Set(textLinks(text)));
  });

  it('carries absolute signed links that verify: per attendee a note, fine and mute; briefs off, pause and unsubscribe', () => {
    const { html, text } = renderBrief(fiveMeetingBrief(), { links: signedBriefLinks('u-42') });
    const links = hrefs(html);
    expect(links.length).toBeGreaterThan(20);
    const actions = new Map<string, Set<string>>();
    for (const url of links) {
      expect(url.startsWith(`${LINK_BASE}/l/`), url).toBe(true);
      const claims = verifyLink(LINK_SECRET, url.slice(`${LINK_BASE}/l/`.length), Date.parse(BRIEF_AS_OF));
      expect(claims.userId).toBe('u-42');
      const set = actions.get(claims.action) ?? new Set<string>();
      set.add(claims.contact ?? '');
      actions.set(claims.action, set);
    }
    expect([...actions.keys()].sort()).toEqual(['briefs-off', 'fine', 'mute', 'notes', 'pause', 'unsubscribe']);
    const attendees = new Set(fiveMeetingBrief().meetings.flatMap((m) => m.attendees.map((a) => a.address)));
    expect(actions.get('notes')).toEqual(attendees);
    const knownOnes = new Set(fiveMeetingBrief().meetings.flatMap((m) => m.attendees.filter((a) => a.known).map((a) => a.address)));
    expect(actions.get('fine')).toEqual(knownOnes);
    expect(actions.get('mute')).toEqual(knownOnes);
    for (const url of links) expect(text).toContain(url);
  });

  it('stays under 100 KB of HTML for five meetings of eight attendees each, links and notes and all', () => {
    const { html } = renderBrief(fiveMeetingBrief(), everythingOn());
    expect(Buffer.byteLength(html)).toBeLessThan(100_000);
  });

  it('renders a day without meetings (the command line may ask) and keeps a hostile display name out of the subject header', () => {
    expect(renderBrief(emptyBrief()).text).toContain('No meetings with people outside your organization on this day.');
    const base = oneMeetingBrief();
    const json = { ...base, meetings: [{ ...base.meetings[0]!, attendees: [known('x@gmail.com', 'Eve\r\nBcc Smith')], accounts: [] }] };
    const { subject } = renderBrief(json);
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toBe('Your meeting today: 10:00 with Eve Bcc Smith (x@gmail.com)');
  });

  it('describes someone in two meetings of the day once, at the first, and points back from the later one', () => {
    const base = oneMeetingBrief();
    const first = base.meetings[0]!;
    const later = { ...first, start: '2026-11-24T14:00:00.000Z', end: '2026-11-24T14:30:00.000Z' };
    // Given out of order: the 10:00 meeting (Paris) still comes first and holds the block.
    const json = { ...base, meetings: [later, first] };
    const { text, html } = renderBrief(json, everythingOn());
    const said = 'Ann Lee (Acme) usually hears from you every 6 days';
    expect(text.split(said)).toHaveLength(2);
    expect(visible(html).split(said)).toHaveLength(2);
    expect(text).toContain('Ann Lee (Acme): see 10:00 above.');
    expect(visible(html)).toContain('Ann Lee (Acme): see 10:00 above.');
    expect(text.indexOf(said)).toBeLessThan(text.indexOf('see 10:00 above'));
    // Her notes once; the later meeting keeps her links (a note can be added from either).
    expect(text.split('Prefers calls before 10.')).toHaveLength(2);
    const model = buildBriefModel(json, everythingOn());
    expect(model.meetings.map((m) => m.time)).toEqual(['10:00–10:30', '15:00–15:30']);
    expect(model.meetings[1]!.attendees[0]!.links.note).toBe(model.meetings[0]!.attendees[0]!.links.note);
  });
});
