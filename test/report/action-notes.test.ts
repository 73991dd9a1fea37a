import { describe, expect, it } from 'vitest';
import { escapeHtml, renderReport } from '#lib/report/index.ts';
import { noteLine } from '#lib/report/model.ts';
import { NOTE_LINE_CHARS } from '#lib/notes/text.ts';
import { mjmlRender } from '#lib/report/email-template-compile.ts';
import { buildModel } from '#lib/report/model.ts';
import { mjmlOf, renderHtml } from '#lib/report/html.ts';
import { contact, daysBefore, report } from './fixtures.ts';

/**
 * DESIGN section 9: the weekly email shows the newest note's first line beside that
 * contact's action, escaped, in the HTML and the text part.
 */

const json = report({
  contacts: [
    contact('raj@beta.io', { name: 'Raj Patel' }),
    contact('ann@acme.com', { name: 'Ann Lee' }),
    contact('bob@acme.com', { name: 'Bob Stone' }),
    contact('lee@gmail.com', { name: 'Lee Chan' }),
  ],
  owedReplies: [{ address: 'raj@beta.io', receivedAt: daysBefore(4), waitingDays: 4 }],
  fading: [
    { address: 'ann@acme.com', lastInteraction: daysBefore(40), cadenceDays: 7, silenceDays: 40, lastMeeting: null },
    { address: 'bob@acme.com', lastInteraction: daysBefore(45), cadenceDays: 7, silenceDays: 45, lastMeeting: null },
  ],
  awaitingReply: [{ address: 'lee@gmail.com', firstSentAt: daysBefore(10), unansweredCount: 2 }],
});

const notes = new Map([
  ['raj@beta.io', 'Daughter starts university in September\nPrefers calls before 10'],
  ['bob@acme.com', '<script>alert("x")</script> says "hi" & \'bye\''],
  ['nobody@else.org', 'a note on someone with no action'],
]);

describe('the newest note beside an action', () => {
  it('shows the first line beside a person’s action, and nothing for those without a note', async () => {
    const { text, html } = await renderReport(json, { notes });
    expect(text).toContain('1. Reply to Raj Patel (Beta)\n   Raj wrote on Friday; you have not replied.\n   Your note: Daughter starts university in September\n');
    expect(html).toContain('Your note:</span> Daughter starts university in September</div>');
    for (const part of [text, html]) {
      expect(part).not.toContain('Prefers calls before 10');
      expect(part).not.toContain('a note on someone with no action');
      // Lee has no note: their action has no note line.
      expect(part.match(/Your note/g)).toHaveLength(2);
    }
  });

  it('says whose note it is in an account action, escaped in the HTML and as written in the text', async () => {
    const { text, html } = await renderReport(json, { notes });
    expect(text).toContain('   Your note on Bob Stone: <script>alert("x")</script> says "hi" & \'bye\'\n');
    expect(html).toContain(`${escapeHtml('Your note on Bob Stone:')}</span> ${escapeHtml('<script>alert("x")</script> says "hi" & \'bye\'')}</div>`);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; says &quot;hi&quot; &amp; &#39;bye&#39;');
    expect(html).not.toContain('<script');
  });

  it('leaves the email as it was without notes', async () => {
    const without = await renderReport(json);
    const empty = await renderReport(json, { notes: new Map() });
    expect(empty).toEqual(without);
    expect(without.text).not.toContain('Your note');
  });

  it('renders with notes byte for byte as MJML does (the compiled template needs nothing new)', async () => {
    const model = buildModel(json, { notes });
    expect((await renderHtml(model)) === (await mjmlRender(mjmlOf(model)))).toBe(true);
  });
});

describe('the link to each contact’s notes page', () => {
  const links = { notes: (address: string) => `https://sinew.example/l/notes-${encodeURIComponent(address)}` };

  it('says "Notes" where there is a note and "Add a note" where there is none, in both parts', async () => {
    const { text, html } = await renderReport(json, { notes, links });
    expect(text).toContain('   Notes: https://sinew.example/l/notes-raj%40beta.io\n');
    expect(text).toContain('   Add a note (Ann Lee): https://sinew.example/l/notes-ann%40acme.com\n');
    expect(text).toContain('   Notes (Bob Stone): https://sinew.example/l/notes-bob%40acme.com\n');
    expect(text).toContain('   Add a note: https://sinew.example/l/notes-lee%40gmail.com\n');
    expect(html).toMatch(/href="https:\/\/sinew\.example\/l\/notes-raj%40beta\.io"[^>]*>Notes<\/a>/);
    expect(html).toMatch(/href="https:\/\/sinew\.example\/l\/notes-lee%40gmail\.com"[^>]*>Add a note<\/a>/);
    expect(html.match(/>(Notes|Add a note)<\/a>/g)).toHaveLength(4);
  });

  it('is left out where the deployment gives no notes link (a report written to disk)', async () => {
    const { text, html } = await renderReport(json, { notes });
    for (const part of [text, html]) expect(part).not.toMatch(/Add a note|Notes[:<]/);
  });
});

describe('noteLine', () => {
  it('takes the first non-empty line as lib/notes cuts it, on one line', () => {
    expect(noteLine(undefined)).toBeNull();
    expect(noteLine('')).toBeNull();
    expect(noteLine(' \n\n ')).toBeNull();
    expect(noteLine('\n  first \t line  \r\nsecond')).toBe('first line');
    // A Unicode line separator would start a new line in some text viewers.
    expect(noteLine('one\u2028two')).toBe('one two');
    expect(noteLine('tab\u0007bell')).toBe('tabbell');
    const long = noteLine('x'.repeat(2000))!;
    expect(long).toHaveLength(NOTE_LINE_CHARS);
    expect(long.endsWith('…')).toBe(true);
    expect(noteLine('y'.repeat(NOTE_LINE_CHARS))).toBe('y'.repeat(NOTE_LINE_CHARS));
  });
});
