import { describe, expect, it } from 'vitest';
import { computeHealth } from '#lib/health/index.ts';
import { syntheticExtraction, syntheticInteractions } from '#test/support/synthetic.ts';
import { InputError } from '#lib/errors.ts';
import { defaultSettings } from '#lib/settings.ts';
import { AS_OF, ago, extractionOf, healthOf, received, sent } from './build.ts';

describe('computeHealth', () => {
  it('fills a contact row with names, ISO times and the documented shape', () => {
    const ints = [sent('ann@acme.example', ago(10)), received('ann@acme.example', ago(3))];
    const r = computeHealth(extractionOf(ints, [], new Map([['ann@acme.example', 'Ann Lee']])), {
      asOf: AS_OF, settings: defaultSettings,
    });
    expect(r.contacts).toEqual([{
      address: 'ann@acme.example', name: 'Ann Lee', sent: 1, received: 1, meetings: 0, meetingMinutes: 0,
      firstInteraction: new Date(ago(10)).toISOString(), lastInteraction: new Date(ago(3)).toISOString(),
      frequency: 0.16, cadenceDays: null, reciprocity: 1, replyHours: { mine: null, theirs: null },
      health: expect.any(Number), trend: 'warming', initiative: 'mutual',
    }]);
    expect(Object.keys(r)).toEqual(['contacts', 'fading', 'owedReplies', 'awaitingReply', 'noFaceTime', 'accounts']);
  });

  it('sorts contacts by health, highest first, ties by address', () => {
    const r = healthOf([
      sent('b@x.example', ago(5)), sent('a@y.example', ago(5)),
      sent('c@z.example', ago(1)), received('c@z.example', ago(1)),
    ]);
    expect(r.contacts.map((c) => c.address)).toEqual(['c@z.example', 'a@y.example', 'b@x.example']);
    expect(r.contacts[1]!.health).toBe(r.contacts[2]!.health);
  });

  it('is deterministic: same input, same JSON, also for an input it had to sort itself', () => {
    const asOf = new Date('2026-11-23T07:00:00.000Z');
    const x = syntheticExtraction(20_000, 3, asOf);
    const a = JSON.stringify(computeHealth(x, { asOf, settings: defaultSettings }));
    const b = JSON.stringify(computeHealth(syntheticExtraction(20_000, 3, asOf), { asOf, settings: defaultSettings }));
    expect(a).toBe(b);
    const reversed = { ...x, interactions: [...x.interactions].reverse() };
    expect(JSON.stringify(computeHealth(reversed, { asOf, settings: defaultSettings }))).toBe(a);
  });

  it('produces every kind of output on synthetic data', () => {
    const asOf = new Date('2026-11-23T07:00:00.000Z');
    const r = computeHealth(syntheticExtraction(20_000, 11, asOf), { asOf, settings: defaultSettings });
    for (const list of [r.contacts, r.fading, r.owedReplies, r.awaitingReply, r.noFaceTime, r.accounts]) {
      expect(list.length).toBeGreaterThan(0);
    }
    expect(new Set(r.contacts.map((c) => c.trend))).toEqual(new Set(['warming', 'steady', 'cooling']));
    expect(r.contacts.some((c) => c.replyHours.mine !== null && c.replyHours.theirs !== null)).toBe(true);
    expect(r.accounts.some((a) => a.singleThreaded)).toBe(true);
  });

  it('generates the same synthetic interactions for the same seed, sorted by time', () => {
    const a = syntheticInteractions(2_000, 5, AS_OF);
    expect(syntheticInteractions(2_000, 5, AS_OF)).toEqual(a);
    expect(syntheticInteractions(2_000, 6, AS_OF)).not.toEqual(a);
    expect(a.every((it, i) => i === 0 || it.at > a[i - 1]!.at)).toBe(true);
    expect(a.at(-1)!.at).toBeLessThan(AS_OF.getTime());
  });

  it('rejects an invalid asOf', () => {
    expect(() => computeHealth(extractionOf([]), { asOf: new Date(Number.NaN), settings: defaultSettings })).toThrow(InputError);
  });

  it('returns empty lists for an empty extraction', () => {
    expect(healthOf([])).toEqual({ contacts: [], fading: [], owedReplies: [], awaitingReply: [], noFaceTime: [], accounts: [] });
  });
});
