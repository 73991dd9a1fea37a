import { beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, renderReport } from '#lib/report/index.ts';
import { personLabel, personLabels } from '#lib/report/person-name.ts';
import { planActions } from '#lib/report/actions.ts';
import { buildModel } from '#lib/report/model.ts';
import { renderText } from '#lib/report/text.ts';
import { renderHtml } from '#lib/report/html.ts';
import { organizationLabel } from '#lib/report/phrasing.ts';
import { PUBLIC_WEBMAIL_DOMAINS, domainOf } from '#lib/items/normalize.ts';
import type { ReportJson } from '#lib/report/types.ts';
import { demoWeek } from './demo-report.ts';
import { contact, daysBefore, report } from './fixtures.ts';

/**
 * Issue 12, "people told apart": every action in the weekly email names the person in
 * full with their organization, or their address where there is none (public webmail,
 * no display name), in the HTML and the text part alike.
 */

/** The text part's action blocks: from "1. " to the next numbered line or section. */
function textBlocks(text: string): string[] {
  const body = text.slice(text.indexOf('WHAT TO DO THIS WEEK'), text.indexOf('THE PICTURE'));
  return body.split(/\n(?=\d+\. )/).slice(1);
}

/** The HTML part's action blocks (each `.sinew-action` div up to the next). */
function htmlBlocks(html: string): string[] {
  return html.split('class="sinew-action"').slice(1);
}

/**
 * What naming a contact in full means, worked out from the report's own data rather
 * than from the function under test: a display name of two words or more with the
 * organization (as the report names it) or, for public webmail, the address; else the
 * address.
 */
function namings(json: ReportJson, address: string): string[] {
  const name = json.contacts.find((c) => c.address === address)?.name?.trim() ?? '';
  if (!/\s/.test(name)) return [address];
  const domain = domainOf(address);
  return PUBLIC_WEBMAIL_DOMAINS.has(domain) ? [name, address] : [name, organizationLabel(domain)];
}

describe('the demo week names every person it asks you to act on', () => {
  let json: ReportJson;
  let html: string;
  let text: string;
  beforeAll(async () => {
    const demo = await demoWeek();
    json = demo.json;
    ({ html, text } = await renderReport(json, { timeZone: demo.timeZone, previous: demo.previous }));
  }, 60_000);

  it('in full, with organization or address, in the text part and the HTML', () => {
    const { actions } = planActions(json);
    expect(actions.length).toBeGreaterThan(0);
    const texts = textBlocks(text);
    const htmls = htmlBlocks(html);
    expect(texts).toHaveLength(actions.length);
    expect(htmls).toHaveLength(actions.length);
    actions.forEach((action, i) => {
      for (const c of action.contacts) {
        for (const part of namings(json, c.address)) {
          expect(texts[i], `text, action ${i + 1}`).toContain(part);
          expect(htmls[i], `HTML, action ${i + 1}`).toContain(escapeHtml(part));
        }
        // The title itself names them: no "Reply to John".
        if (action.account === null) expect(action.title.endsWith(` ${personLabel({ address: c.address, name: json.contacts.find((x) => x.address === c.address)?.name })}`)).toBe(true);
      }
      expect(texts[i]!.split('\n')[0]).toBe(`${i + 1}. ${action.title}`);
      expect(htmls[i]).toContain(escapeHtml(action.title));
    });
    // What the email said before issue 12 is gone.
    expect(text).not.toMatch(/^\d+\. (Reply to|Reconnect with|Follow up with|Meet) \S+$/m);
  });
});

describe('personLabel', () => {
  it('names a person in full with the organization, or the address where there is none', () => {
    expect(personLabel({ address: 'john.smith@acme-logistics.com', name: 'John Smith' })).toBe('John Smith (Acme-logistics)');
    expect(personLabel({ address: 'john@mail.acme.co.uk', name: 'Smith, John' })).toBe('John Smith (Acme)');
    expect(personLabel({ address: 'john@gmail.com', name: 'John Smith' })).toBe('John Smith (john@gmail.com)');
    expect(personLabel({ address: 'john@gmail.com', name: null })).toBe('john@gmail.com');
    expect(personLabel({ address: 'john@acme.com' })).toBe('john@acme.com');
    expect(personLabel({ address: 'john@acme.com', name: '  ' })).toBe('john@acme.com');
    // A display name that is an address says nothing more than the address.
    expect(personLabel({ address: 'john@acme.com', name: 'john@acme.com' })).toBe('john@acme.com');
    // One word is not a full name: "John (Acme)" would not tell two Johns apart.
    expect(personLabel({ address: 'john@acme.com', name: 'John' })).toBe('John (john@acme.com)');
    // A name never breaks the line it stands on.
    expect(personLabel({ address: 'ann@acme.com', name: 'Ann\r\nLee' })).toBe('Ann Lee (Acme)');
  });

  it('tells apart people whose labels would read the same, by address', () => {
    const labels = personLabels([
      { address: 'john@acme.com', name: 'John Smith' },
      { address: 'john.smith@acme.co.uk', name: 'John Smith' },
      { address: 'jsmith@globex.com', name: 'John Smith' },
      { address: 'jsmith@globex.com', name: 'John Smith' },
    ]);
    expect([...labels]).toEqual([
      ['john@acme.com', 'John Smith (john@acme.com)'],
      ['john.smith@acme.co.uk', 'John Smith (john.smith@acme.co.uk)'],
      ['jsmith@globex.com', 'John Smith (Globex)'],
    ]);
  });
});

describe('three Johns', () => {
  const johns = report({
    contacts: [
      contact('john@acme.com', { name: 'John Smith' }),
      contact('john@globex.com', { name: 'John Smith' }),
      contact('john.smith@initech.io', { name: 'John Smith' }),
    ],
    owedReplies: [{ address: 'john@acme.com', receivedAt: daysBefore(4), waitingDays: 4 }],
    fading: [{ address: 'john@globex.com', lastInteraction: daysBefore(40), cadenceDays: 7, silenceDays: 40, lastMeeting: null }],
    awaitingReply: [{ address: 'john.smith@initech.io', firstSentAt: daysBefore(10), unansweredCount: 2 }],
  });

  it('at three organizations give three lines a person can tell apart, in both parts', async () => {
    const { html, text } = await renderReport(johns);
    const titles = ['Reply to John Smith (Acme)', 'Reconnect with John Smith (Globex)', 'Follow up with John Smith (Initech)'];
    expect(planActions(johns).actions.map((a) => a.title)).toEqual(titles);
    const texts = textBlocks(text);
    const htmls = htmlBlocks(html);
    titles.forEach((title, i) => {
      expect(texts[i]!.split('\n')[0]).toBe(`${i + 1}. ${title}`);
      expect(htmls[i]).toContain(`>${escapeHtml(title)}</div>`);
    });
  });

  it('at one organization are told apart by address, in the account action and its buttons', async () => {
    const oneOrg = report({
      contacts: [contact('john@acme.com', { name: 'John Smith' }), contact('jsmith@acme.com', { name: 'John Smith' })],
      owedReplies: [
        { address: 'john@acme.com', receivedAt: daysBefore(4), waitingDays: 4 },
        { address: 'jsmith@acme.com', receivedAt: daysBefore(3), waitingDays: 3 },
      ],
    });
    const [action] = planActions(oneOrg).actions;
    expect(action!.title).toBe('Reply to john@acme.com and jsmith@acme.com at Acme');
    // Within the account action the organization is said once, in the title: each is told apart by address.
    expect(action!.contacts.map((c) => c.label)).toEqual(['john@acme.com', 'jsmith@acme.com']);
    const links = { contactAction: (address: string, what: string) => `https://sinew.example/l/${what}?c=${encodeURIComponent(address)}` };
    const model = buildModel(oneOrg, { links });
    const text = renderText(model);
    expect(text).toContain('This is fine (john@acme.com): https://sinew.example/l/fine?c=john%40acme.com');
    expect(text).toContain('This is fine (jsmith@acme.com): https://sinew.example/l/fine?c=jsmith%40acme.com');
    const html = await renderHtml(model);
    expect(html).toContain('jsmith@acme.com:</span>');
    // Named in full beside their address in the evidence.
    expect(text).toContain('   - John Smith <jsmith@acme.com>: wrote on Saturday, waiting 3 days');
    // The sentences under the title do not say "John and John".
    expect(action!.summary).toBe('john@acme.com and jsmith@acme.com at Acme wrote to you; neither has had a reply yet.');
    expect(action!.suggestion).toBe('Start with john@acme.com, who has waited longest (4 days).');
  });
});

describe('two Johns at one organization with different family names', () => {
  it('are named in full in the account action’s title, its sentences and its buttons', async () => {
    const json = report({
      contacts: [contact('john.smith@acme.com', { name: 'John Smith' }), contact('john.doe@acme.com', { name: 'Doe, John' })],
      fading: [
        { address: 'john.smith@acme.com', lastInteraction: daysBefore(40), cadenceDays: 7, silenceDays: 40, lastMeeting: null },
        { address: 'john.doe@acme.com', lastInteraction: daysBefore(45), cadenceDays: 7, silenceDays: 45, lastMeeting: null },
      ],
    });
    const [action] = planActions(json).actions;
    expect(action!.title).toBe('Reconnect with John Smith and John Doe at Acme');
    expect(action!.summary).toBe('John Smith and John Doe at Acme have gone quiet; the longest silence is 45 days.');
    expect(action!.contacts.map((c) => c.label)).toEqual(['John Smith', 'John Doe']);
    const text = renderText(buildModel(json, { links: { contactAction: (a: string, what: string) => `https://sinew.example/l/${what}/${a}` } }));
    expect(text).toContain('   Mute (John Doe): https://sinew.example/l/mute/john.doe@acme.com');
  });
});

describe('names the email cannot trust', () => {
  it('a contact with no display name is named by address', async () => {
    const json = report({
      contacts: [contact('john@gmail.com'), contact('ops@acme.com', { name: 'Operations' })],
      owedReplies: [{ address: 'john@gmail.com', receivedAt: daysBefore(4), waitingDays: 4 }],
      awaitingReply: [{ address: 'ops@acme.com', firstSentAt: daysBefore(10), unansweredCount: 2 }],
    });
    const { html, text, subject } = await renderReport(json);
    expect(subject).toBe('john@gmail.com is waiting on your reply — and 1 more thing');
    for (const part of [text, html]) {
      expect(part).toContain('Reply to john@gmail.com');
      expect(part).toContain('Follow up with Operations (ops@acme.com)');
    }
  });

  it('a name with markup and quotes is escaped in the HTML and kept as written in the text', async () => {
    const hostile = '<b>Ann</b> "The" O\'Neil';
    const json = report({
      contacts: [contact('ann@acme.com', { name: hostile })],
      owedReplies: [{ address: 'ann@acme.com', receivedAt: daysBefore(4), waitingDays: 4 }],
    });
    const { html, text } = await renderReport(json);
    expect(text).toContain(`1. Reply to ${hostile} (Acme)`);
    expect(html).toContain(`Reply to ${escapeHtml(hostile)} (Acme)`);
    expect(html).toContain('Reply to &lt;b&gt;Ann&lt;/b&gt; &quot;The&quot; O&#39;Neil (Acme)');
    expect(html).not.toContain('<b>Ann');
    expect(html).not.toContain('"The"');
  });
});
