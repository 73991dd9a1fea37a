import { describe, expect, it } from 'vitest';
import { buildScenario, DEMO_AS_OF, DEMO_SEED } from '#lib/local/demo/scenario.ts';
import { storyFlags } from './story-rules.ts';

/**
 * The expectations are claims about the stories; these tests read the scenario with an
 * independent, minimal version of DESIGN's rules and check each claim, for the demo's
 * own asOf and seed and for others (a Wednesday and a Saturday asOf, other seeds).
 */
const cases: Array<[Date, number]> = [
  [DEMO_AS_OF, DEMO_SEED],
  [new Date('2025-06-04T12:00:00.000Z'), 7],
  [new Date('2027-02-27T09:30:00.000Z'), 42],
];

describe.each(cases)('demo stories at %s, seed %i', (asOf, seed) => {
  const scenario = buildScenario(asOf, seed);
  const flags = storyFlags(scenario);
  const ex = scenario.expectations;

  it.each(['fading', 'owedReplies', 'awaitingReply', 'noFaceTime', 'singleThreaded'] as const)('%s flags what it claims and nothing it rules out', (flag) => {
    expect([...flags[flag]]).toEqual(expect.arrayContaining(ex[flag].include));
    for (const a of ex[flag].exclude) expect(flags[flag].has(a), a).toBe(false);
  });

  it('has the warming newcomer, the healthy regulars, and leaves out every excluded address', () => {
    expect([...flags.warming]).toEqual(expect.arrayContaining(ex.warming));
    for (const a of ex.healthy) {
      expect(flags.contacts.has(a), a).toBe(true);
      expect(flags.fading.has(a) || flags.awaitingReply.has(a), a).toBe(false);
    }
    for (const a of [...ex.excluded.automated, ...ex.excluded.broadcast, ...ex.excluded.internal]) {
      expect(flags.contacts.has(a), a).toBe(false);
    }
  });

  it('keeps the fading contact silent for 40 to 70 days, and the one with a meeting next week as silent', () => {
    for (const who of ['oliver.grant@brightwatercap.com', 'sofia.rossi@kestrel-mfg.de']) {
      const last = Math.max(...scenario.messages
        .filter((m) => [m.from, ...m.to].some((p) => p.address.toLowerCase() === who) && m.to.length + m.cc.length <= 10)
        .map((m) => m.at.getTime()));
      const silence = (asOf.getTime() - last) / 86_400_000;
      expect(silence).toBeGreaterThan(40);
      expect(silence).toBeLessThan(70);
    }
  });

  it('writes nothing at or after asOf, and mail mostly in the sender\'s working hours', () => {
    expect(scenario.messages.every((m) => m.at.getTime() < asOf.getTime())).toBe(true);
    const people = scenario.messages.filter((m) => !m.extraHeaders.length && m.from.tz !== 'UTC');
    const working = people.filter((m) => {
      const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: m.from.tz, hour: 'numeric', hourCycle: 'h23' }).format(m.at));
      return hour >= 8 && hour < 19;
    });
    expect(working.length / people.length).toBeGreaterThan(0.95);
  });
});
