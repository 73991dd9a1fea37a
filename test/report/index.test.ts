import { describe, expect, it } from 'vitest';
import { renderReport } from '../../lib/report/index.ts';
import { busyReport, contact, daysBefore, report } from './fixtures.ts';

describe('renderReport', () => {
  it('names the most important thing in the subject', async () => {
    const json = report({
      contacts: [contact('raj@beta.io', { name: 'Raj Patel' }), contact('ann@acme.com', { name: 'Ann Lee' }), contact('lee@gmail.com', { name: 'Lee Chan' })],
      owedReplies: [{ address: 'raj@beta.io', receivedAt: daysBefore(6), waitingDays: 6 }],
      fading: [{ address: 'ann@acme.com', lastInteraction: daysBefore(34), cadenceDays: 8, silenceDays: 34 }],
      awaitingReply: [{ address: 'lee@gmail.com', firstSentAt: daysBefore(22), unansweredCount: 3 }],
    });
    const out = await renderReport(json, { timeZone: 'America/New_York' });
    expect(out.subject).toBe('Raj is waiting on your reply — and 2 more things');
    expect(out.text).toContain('Raj wrote on Wednesday; you have not replied.');
    expect(out.html).toContain('Raj wrote on Wednesday; you have not replied.');
  });

  it('calls a week without actions quiet', async () => {
    const out = await renderReport(report({ contacts: [contact('ann@acme.com')] }));
    expect(out.subject).toBe('A quiet week: your relationships are steady');
    expect(out.html).toContain('Nothing needs you this week.');
  });

  it('keeps the subject on one line whatever a name holds', async () => {
    const json = report({
      contacts: [contact('x@acme.com', { name: 'Ann\r\nBcc: evil@x.com' })],
      fading: [{ address: 'x@acme.com', lastInteraction: daysBefore(40), cadenceDays: 7, silenceDays: 40 }],
    });
    const out = await renderReport(json);
    expect(out.subject).not.toMatch(/[\r\n]/);
  });

  it('renders a busy week in under 200 ms once MJML is loaded', async () => {
    const json = busyReport(300);
    const previous = busyReport(280);
    await renderReport(json, { previous });
    const times: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const start = performance.now();
      await renderReport(json, { previous, timeZone: 'Europe/Paris' });
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const median = times[2]!;
    console.log(`renderReport, 300 contacts: median ${median.toFixed(1)} ms over 5 renders`);
    expect(median).toBeLessThan(200);
  });
});
