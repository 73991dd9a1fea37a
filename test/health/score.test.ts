import { describe, expect, it } from 'vitest';
import { SCORE_WEIGHTS, healthScore, type ReplyInput, type ScoreInput } from '#lib/health/score.ts';
import { mulberry32 } from '#lib/random.ts';
import type { Interaction } from '#lib/interactions/types.ts';
import { HOUR, ago, contactOf, healthOf, meeting, received, sent } from './build.ts';

/** A reply latency, or (a fifth of the time each) unanswered or nothing to answer. */
function randomReply(rand: () => number): ReplyInput {
  const x = rand();
  return x < 0.2 ? null : x < 0.4 ? 'unanswered' : rand() * 200;
}

function randomInput(rand: () => number): ScoreInput {
  const maybe = (v: number) => (rand() < 0.2 ? null : v);
  return {
    silenceDays: rand() * 120,
    spanDays: rand() * 400,
    frequency: rand() * 10,
    meetings: Math.floor(rand() * 10),
    meetingMinutes: Math.floor(rand() * 600),
    reciprocity: maybe(rand()),
    replyMine: randomReply(rand),
    replyTheirs: randomReply(rand),
  };
}

/** A faster reply than `reply`; an answer, any answer, where there was none. */
function faster(reply: ReplyInput, r: () => number): ReplyInput {
  if (reply === null) return null;
  if (reply === 'unanswered') return r() < 0.5 ? 1e6 * r() : r() * 200;
  return reply * r();
}

/** One step "better" along each dimension the design names (plus responsiveness). */
const improvements: Record<string, (s: ScoreInput, rand: () => number) => ScoreInput> = {
  'more recent': (s, r) => ({ ...s, silenceDays: s.silenceDays * r() }),
  'longer relationship': (s, r) => ({ ...s, spanDays: s.spanDays + r() * 100 }),
  'more frequent': (s, r) => ({ ...s, frequency: s.frequency + r() * 3 }),
  'more meetings': (s, r) => ({ ...s, meetings: s.meetings + 1 + Math.floor(r() * 3) }),
  'longer meetings': (s, r) => ({ ...s, meetingMinutes: s.meetingMinutes + r() * 120 }),
  'more balanced': (s, r) => (s.reciprocity === null ? s : { ...s, reciprocity: s.reciprocity + (1 - s.reciprocity) * r() }),
  'faster replies of mine (or a first one)': (s, r) => ({ ...s, replyMine: faster(s.replyMine, r) }),
  'faster replies of theirs (or a first one)': (s, r) => ({ ...s, replyTheirs: faster(s.replyTheirs, r) }),
  'faster replies both ways': (s, r) => ({ ...s, replyMine: faster(s.replyMine, r), replyTheirs: faster(s.replyTheirs, r) }),
};

describe('healthScore', () => {
  it('weights sum to 1 and the score stays an integer in 0..100', () => {
    const sum = Object.values(SCORE_WEIGHTS).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 10);
    const rand = mulberry32(1);
    for (let k = 0; k < 500; k++) {
      const s = healthScore(randomInput(rand));
      expect(Number.isInteger(s) && s >= 0 && s <= 100).toBe(true);
    }
  });

  it('ranks a close, active, balanced relationship far above a cold one-sided one', () => {
    const warm = healthScore({ silenceDays: 1, spanDays: 300, frequency: 3, meetings: 4, meetingMinutes: 180, reciprocity: 0.9, replyMine: 3, replyTheirs: 5 });
    const cold = healthScore({ silenceDays: 80, spanDays: 10, frequency: 0.1, meetings: 0, meetingMinutes: 0, reciprocity: 0, replyMine: null, replyTheirs: 'unanswered' });
    expect(warm).toBeGreaterThan(80);
    expect(cold).toBeLessThan(20);
  });

  it.each(Object.keys(improvements))('is monotone: %s never lowers it (2,000 seeded random inputs)', (name) => {
    const rand = mulberry32(0x5eed + name.length);
    const improve = improvements[name]!;
    for (let k = 0; k < 2000; k++) {
      const base = randomInput(rand);
      const better = improve(base, rand);
      expect(healthScore(better), JSON.stringify({ base, better })).toBeGreaterThanOrEqual(healthScore(base));
    }
  });

  it('never lets an unanswered side outscore an answered one, however slow (2,000 seeded random inputs)', () => {
    const rand = mulberry32(0xa11);
    const states = new Set<string>();
    for (let k = 0; k < 2000; k++) {
      const base = randomInput(rand);
      const slow = rand() < 0.5 ? 1e9 * rand() : 200 + rand() * 2000;
      for (const side of ['replyMine', 'replyTheirs'] as const) {
        states.add(String(typeof base[side] === 'number' ? 'hours' : base[side]));
        const answered = healthScore({ ...base, [side]: slow });
        expect(healthScore({ ...base, [side]: 'unanswered' }), JSON.stringify({ base, side, slow })).toBeLessThanOrEqual(answered);
      }
    }
    expect(states).toEqual(new Set(['hours', 'unanswered', 'null']));
  });
});

describe('contact health through computeHealth (random contacts, seeded)', () => {
  const ann = 'ann@acme.example';

  function randomContact(rand: () => number): Interaction[] {
    const out: Interaction[] = [];
    const n = 1 + Math.floor(rand() * 25);
    for (let k = 0; k < n; k++) {
      const at = ago(rand() * 200);
      const thread = `t${Math.floor(rand() * 5)}`;
      const x = rand();
      if (x < 0.15) out.push(meeting(ann, at, 30 * (1 + Math.floor(rand() * 3))));
      else if (x < 0.55) out.push(sent(ann, at, { threadId: thread }));
      else out.push(received(ann, at, { threadId: thread }));
    }
    return out;
  }

  /** Changes that move only "better" dimensions: recency, frequency, face-time, balance. */
  const changes: Record<string, (ints: Interaction[], rand: () => number) => Interaction[]> = {
    'adding a meeting': (ints, r) => [...ints, meeting(ann, ago(r() * 80), 30)],
    'adding a meeting now': (ints) => [...ints, meeting(ann, ago(0.01), 60)],
    'adding a balanced exchange in fresh threads': (ints, r) => {
      const at = ago(r() * 80);
      return [...ints, sent(ann, at, { threadId: `fresh-s-${at}` }), received(ann, at + HOUR, { threadId: `fresh-r-${at}` })];
    },
  };

  it.each(Object.keys(changes))('%s never lowers health (300 random contacts)', (name) => {
    const rand = mulberry32(0xc0ffee + name.length);
    for (let k = 0; k < 300; k++) {
      const before = randomContact(rand);
      const after = changes[name]!(before, rand);
      const hb = contactOf(healthOf(before), ann)?.health ?? 0;
      const ha = contactOf(healthOf(after), ann)!.health;
      expect(ha).toBeGreaterThanOrEqual(hb);
    }
  });
});
