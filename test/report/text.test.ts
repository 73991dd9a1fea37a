import { describe, expect, it } from 'vitest';
import { buildModel } from '#lib/report/model.ts';
import { renderText } from '#lib/report/text.ts';
import { busyReport, contact, daysBefore, report } from './fixtures.ts';

describe('renderText', () => {
  it('contains every action: title, summary, evidence and suggestion', () => {
    const model = buildModel(busyReport());
    const text = renderText(model);
    expect(model.actions).toHaveLength(5);
    for (const a of model.actions) {
      expect(text).toContain(a.title);
      expect(text).toContain(a.summary);
      expect(text).toContain(a.suggestion);
      for (const e of a.evidence) expect(text).toContain(e);
    }
    expect(text).toContain(`${model.omittedActions} more things were flagged; these five come first.`);
  });

  it('says the picture and the change since last week', () => {
    const now = report({ contacts: [contact('a@x.com', { health: 80 }), contact('b@x.com', { health: 50, name: 'Bea Moss', trend: 'warming' })] });
    const before = report({ contacts: [contact('a@x.com', { health: 50 })] });
    const text = renderText(buildModel(now, { previous: before }));
    expect(text).toContain('2 active relationships (+1 since last week)');
    expect(text).toMatch(/Strong \(70\+\) +1 \(\+1\)/);
    expect(text).toMatch(/OK \(40–69\) +1 \(±0\)/);
    expect(text).toContain('Warming: Bea Moss');
  });

  it('gives an empty first week a short useful text', () => {
    const text = renderText(buildModel(report({ contacts: [contact('a@x.com', { name: 'Ann Lee', health: 90 })] })));
    expect(text).toContain('Nothing needs you this week.');
    expect(text).toContain('your first report');
    expect(text).toContain('Ann Lee (90)');
    expect(text).toContain('never reads subjects or message bodies');
  });

  it('lists the links only when given', () => {
    const json = report({
      contacts: [contact('raj@beta.io', { name: 'Raj Patel' })],
      owedReplies: [{ address: 'raj@beta.io', receivedAt: daysBefore(4), waitingDays: 4 }],
    });
    expect(renderText(buildModel(json))).not.toContain('https://');
    const text = renderText(
      buildModel(json, {
        links: { unsubscribe: 'https://s.example/u', pause: 'javascript:alert(1)', contactAction: (a, k) => `https://s.example/${k}/${a}` },
      }),
    );
    expect(text).toContain('Unsubscribe: https://s.example/u');
    expect(text).toContain('This is fine: https://s.example/fine/raj@beta.io');
    expect(text).toContain('Snooze 30 days: https://s.example/snooze/raj@beta.io');
    expect(text).toContain('Mute: https://s.example/mute/raj@beta.io');
    expect(text).not.toContain('javascript:');
  });

  it('names the zone its dates are in, with the change link when given', () => {
    const json = report({ contacts: [contact('a@x.com')] });
    expect(renderText(buildModel(json))).toContain('Dates are in UTC.\n');
    const plain = renderText(buildModel(json, { timeZone: 'Europe/Paris' }));
    expect(plain).toContain('Dates are in Europe/Paris time.\n');
    expect(plain).not.toContain('Change time zone');
    const linked = renderText(buildModel(json, { timeZone: 'Europe/Paris', links: { timeZone: 'https://s.example/tz' } }));
    expect(linked).toContain('Dates are in Europe/Paris time.\nChange time zone: https://s.example/tz\n');
  });
});
