import { describe, expect, it } from 'vitest';
import { healthScore, type ScoreInput } from '#lib/health/score.ts';
import { AS_OF, HOUR, ago, contactOf, healthOf, received, sent } from './build.ts';

/**
 * The README's "Definitions we chose" for the health score, pinned by examples whose
 * expected numbers are worked out by hand below from the documented formula, not read
 * off the code. Changing any constant or weight of lib/health/score.ts fails one of them.
 *
 *   health = round(100 × (0.25 R + 0.10 A + 0.25 F + 0.10 T + 0.15 C + 0.15 P))
 *   R = 0.5^(silenceDays / 30)          recency, halving every 30 silent days
 *   A = 1 − 0.5^(spanDays / 90)         age, half-way after 90 days of history
 *   F = f / (f + 1)                     frequency, f interactions a week
 *   T = x / (x + 2)                     face-time, x = meetings + hours met
 *   C = reciprocity                     0.5 when null (meetings only)
 *   P = mean over both directions of    responsiveness:
 *         24 / (24 + h)                 median reply h hours,
 *         0                             written to in the window and never answered,
 *         0.5                           nothing to answer (never written to)
 */

/** An input where every term is 0 (silence far beyond any half-life), to vary one term at a time. */
const NOTHING: ScoreInput = {
  silenceDays: 3000, spanDays: 0, frequency: 0, meetings: 0, meetingMinutes: 0,
  reciprocity: 0, replyMine: 'unanswered', replyTheirs: 'unanswered',
};

describe('health score: hand-computed examples of the documented formula', () => {
  it('every term at its half point scores 50', () => {
    // R = 0.5^(30/30) = 0.5; A = 1 − 0.5^(90/90) = 0.5; F = 1/(1+1) = 0.5;
    // x = 1 + 60/60 = 2, T = 2/(2+2) = 0.5; C = 0.5; P = (24/48 + 24/48)/2 = 0.5.
    // 100 × 0.5 × (0.25 + 0.10 + 0.25 + 0.10 + 0.15 + 0.15) = 50.
    // (A half-life of 60 days would give R = 0.707: 55; a 48 h reply half-time P = 0.667: 53.)
    expect(healthScore({ silenceDays: 30, spanDays: 90, frequency: 1, meetings: 1, meetingMinutes: 60, reciprocity: 0.5, replyMine: 24, replyTheirs: 24 })).toBe(50);
  });

  it('each term alone carries its own weight', () => {
    // R = 0.5^(3000/30) = 0.5^100, about 8e-31; every other term 0 in NOTHING.
    expect(healthScore(NOTHING)).toBe(0);
    // Recency alone: silence 0, R = 1 -> 100 × 0.25 = 25.
    expect(healthScore({ ...NOTHING, silenceDays: 0 })).toBe(25);
    // Age alone: span 3000 days, A = 1 − 0.5^33.3, about 1 -> 100 × 0.10 = 10.
    expect(healthScore({ ...NOTHING, spanDays: 3000 })).toBe(10);
    // Age at 45 days: A = 1 − 0.5^0.5 = 0.2929 -> 2.93 -> 3.
    expect(healthScore({ ...NOTHING, spanDays: 45 })).toBe(3);
    // Frequency alone: 3 a week, F = 3/4 = 0.75 -> 100 × 0.25 × 0.75 = 18.75 -> 19.
    expect(healthScore({ ...NOTHING, frequency: 3 })).toBe(19);
    // Face-time alone: two one-hour meetings, x = 2 + 120/60 = 4, T = 4/6 -> 6.67 -> 7.
    expect(healthScore({ ...NOTHING, meetings: 2, meetingMinutes: 120 })).toBe(7);
    // Reciprocity alone: balanced, C = 1 -> 15.
    expect(healthScore({ ...NOTHING, reciprocity: 1 })).toBe(15);
    // Responsiveness alone: instant replies both ways, P = (1 + 1)/2 = 1 -> 15.
    expect(healthScore({ ...NOTHING, replyMine: 0, replyTheirs: 0 })).toBe(15);
    // One direction answered in 8 h, the other never: P = (24/32 + 0)/2 = 0.375 -> 5.63 -> 6.
    expect(healthScore({ ...NOTHING, replyMine: 8 })).toBe(6);
  });

  it('the neutral values: reciprocity null and nothing to answer count 0.5', () => {
    // A contact met once for an hour today and never written to: R = 1 (0.25),
    // x = 1 + 1 = 2, T = 0.5 (0.05), C = 0.5 (0.075), P = (0.5 + 0.5)/2 (0.075) -> 45.
    expect(healthScore({ silenceDays: 0, spanDays: 0, frequency: 0, meetings: 1, meetingMinutes: 60, reciprocity: null, replyMine: null, replyTheirs: null })).toBe(45);
  });

  it('a mixed relationship: every term at once', () => {
    // R = 0.5^(7/30) = 0.85067 -> 0.25 R = 0.21267
    // A = 1 − 0.5^(200/90) = 1 − 0.21431 = 0.78569 -> 0.10 A = 0.07857
    // F = 2/3 = 0.66667 -> 0.25 F = 0.16667
    // x = 2 + 90/60 = 3.5, T = 3.5/5.5 = 0.63636 -> 0.10 T = 0.06364
    // C = 0.8 -> 0.15 C = 0.12
    // P = (24/29 + 0)/2 = 0.41379 -> 0.15 P = 0.06207
    // total 0.70361 -> 70.36 -> 70
    expect(healthScore({ silenceDays: 7, spanDays: 200, frequency: 2, meetings: 2, meetingMinutes: 90, reciprocity: 0.8, replyMine: 5, replyTheirs: 'unanswered' })).toBe(70);
  });

  it('end to end: a contact’s interactions give the inputs, and the inputs the score', () => {
    // Ann wrote 20 days ago; I answered 2 h later. I wrote 10 days ago; she answered 4 h later.
    const ann = 'ann@acme.example';
    const r = healthOf([
      received(ann, ago(20), { threadId: 'a' }), sent(ann, ago(20) + 2 * HOUR, { threadId: 'a' }),
      sent(ann, ago(10), { threadId: 'b' }), received(ann, ago(10) + 4 * HOUR, { threadId: 'b' }),
    ]);
    const c = contactOf(r, ann)!;
    // 4 interactions over a 90-day window: f = 4 / (90/7) = 0.3111 a week.
    expect(c).toMatchObject({ sent: 2, received: 2, frequency: 0.31, reciprocity: 1, replyHours: { mine: 2, theirs: 4 } });
    // silence = 10 days − 4 h = 9.8333 d: R = 0.5^(9.8333/30) = 0.79676 -> 0.19919
    // span = 10 days + 4 h = 10.1667 d: A = 1 − 0.5^(10.1667/90) = 0.07531 -> 0.00753
    // F = 0.3111/1.3111 = 0.23729 -> 0.05932; T = 0; C = 1 -> 0.15
    // P = (24/26 + 24/28)/2 = (0.92308 + 0.85714)/2 = 0.89011 -> 0.13352
    // total 0.54956 -> 55
    expect(c.health).toBe(55);
    expect(AS_OF.getTime() - Date.parse(c.lastInteraction)).toBe(10 * 86_400_000 - 4 * HOUR);
  });
});

describe('no reply is not neutral (DESIGN section 4)', () => {
  it('a contact who never answers scores below one who answers in 48 hours, all else equal', () => {
    // Both: I wrote 10 days ago, a message came from them 8 days ago, I did not answer it.
    // Bob's is an answer in my thread (48 h later); Ann's opened another thread, so my
    // message to her was never answered. Same counts, same times, same silence.
    const ann = 'ann@acme.example';
    const bob = 'bob@beta.example';
    const r = healthOf([
      sent(ann, ago(10), { threadId: 'ann-1' }), received(ann, ago(8), { threadId: 'ann-2' }),
      sent(bob, ago(10), { threadId: 'bob-1' }), received(bob, ago(8), { threadId: 'bob-1' }),
    ]);
    const a = contactOf(r, ann)!;
    const b = contactOf(r, bob)!;
    expect([a.replyHours.theirs, b.replyHours.theirs]).toEqual([null, 48]);
    // P: Ann (0 + 0)/2 = 0, Bob (0 + 24/72)/2 = 0.1667: Bob is 0.15 × 0.1667 = 2.5 points ahead.
    expect(b.health - a.health).toBeGreaterThanOrEqual(2);
  });

  it('"unanswered" scores no better than the slowest reply, in either direction', () => {
    const base: ScoreInput = { silenceDays: 5, spanDays: 120, frequency: 1.5, meetings: 0, meetingMinutes: 0, reciprocity: 0.5, replyMine: 10, replyTheirs: 10 };
    for (const hours of [0, 48, 500, 10_000, 1e9]) {
      expect(healthScore({ ...base, replyTheirs: 'unanswered' })).toBeLessThanOrEqual(healthScore({ ...base, replyTheirs: hours }));
      expect(healthScore({ ...base, replyMine: 'unanswered' })).toBeLessThanOrEqual(healthScore({ ...base, replyMine: hours }));
    }
  });
});
