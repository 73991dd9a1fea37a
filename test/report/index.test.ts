import { describe, expect, it } from 'vitest';
import { renderReport } from '#lib/report/index.ts';
import { contact, daysBefore, report } from './fixtures.ts';

describe('renderReport', () => {
  it('names the most important thing in the subject', async () => {
    const json = report({
      contacts: [contact('raj@beta.io', { name: 'Raj Patel' }), contact('ann@acme.com', { name: 'Ann Lee' }), contact('lee@gmail.com', { name: 'Lee Chan' })],
      owedReplies: [{ address: 'raj@beta.io', receivedAt: daysBefore(6), waitingDays: 6 }],
      fading: [{ address: 'ann@acme.com', lastInteraction: daysBefore(34), cadenceDays: 8, silenceDays: 34, lastMeeting: null }],
      awaitingReply: [{ address: 'lee@gmail.com', firstSentAt: daysBefore(22), unansweredCount: 3 }],
    });
    const out = await renderReport(json, { timeZone: 'America/New_York' });
    expect(out.subject).toBe('Raj Patel (Beta) is waiting on your reply — and 2 more things');
    expect(out.text).toContain('Raj wrote on Wednesday; you have not replied.');
    expect(out.html).toContain('Raj wrote on Wednesday; you have not replied.');
  });

  it('cites a fading contact’s last meeting, in the user’s time zone, in both parts', async () => {
    const json = report({
      contacts: [contact('ann@acme.com', { name: 'Ann Lee', meetings: 1 })],
      // 02:00 UTC on 12 Sep is still 11 Sep in New York. Ann met within 90 days, so she
      // has no face-time flag: the date comes from the fading flag alone.
      fading: [{ address: 'ann@acme.com', lastInteraction: daysBefore(34), cadenceDays: 8, silenceDays: 34, lastMeeting: '2026-09-12T02:00:00.000Z' }],
    });
    const utc = await renderReport(json);
    const ny = await renderReport(json, { timeZone: 'America/New_York' });
    for (const part of [utc.text, utc.html]) {
      expect(part).toContain('Ann usually hears from you every 8 days; it has been 34. Last meeting: 12 Sep.');
      expect(part).toContain('Last meeting: 12 Sep');
      expect(part).not.toContain('Meetings in the last');
    }
    for (const part of [ny.text, ny.html]) expect(part).toContain('Last meeting: 11 Sep');
    const none = await renderReport(report({ contacts: json.contacts, fading: [{ ...json.fading[0]!, lastMeeting: null }] }));
    for (const part of [none.text, none.html]) {
      expect(part).not.toContain('Last meeting');
      expect(part).toContain('Meetings in the last 90 days: 1');
    }
  });

  it('calls a week without actions quiet', async () => {
    const out = await renderReport(report({ contacts: [contact('ann@acme.com')] }));
    expect(out.subject).toBe('A quiet week: your relationships are steady');
    expect(out.html).toContain('Nothing needs you this week.');
    expect((await renderReport(report({}))).subject).toBe('A quiet week: nothing needs you');
  });

  it('puts the reconnect notice in the subject when nothing else needs the user', async () => {
    const out = await renderReport(report({ contacts: [contact('ann@acme.com')] }), { needsReconnect: ['me@example.com'] });
    expect(out.subject).toBe('Reconnect your mailbox: this week’s picture is out of date');
    expect(out.text).toContain('Sinew can no longer read me@example.com');
  });

  it('keeps the subject on one line whatever a name holds', async () => {
    const json = report({
      contacts: [contact('x@acme.com', { name: 'Ann\r\nBcc: evil@x.com' })],
      fading: [{ address: 'x@acme.com', lastInteraction: daysBefore(40), cadenceDays: 7, silenceDays: 40, lastMeeting: null }],
    });
    const out = await renderReport(json);
    expect(out.subject).not.toMatch(/[\r\n]/);
  });
});
