import { describe, expect, it } from 'vitest';
import { InputError } from '#lib/errors.ts';
import type { Feedback } from '#lib/items/feedback.ts';
import { AS_OF, DAY, ago, contactOf, establishedHistory, healthOf, received, sent } from './build.ts';

const ann = 'ann@acme.example';
const iso = (ms: number) => new Date(ms).toISOString();

/** Ann is fading (silence 40 > 21) and has no face-time; `owed` and `awaiting` raise the other two flags. */
function fadingNoFaceTime() {
  return [
    ...establishedHistory(ann, 100, 7),
    sent(ann, ago(45)), received(ann, ago(44)),
    sent(ann, ago(43)), sent(ann, ago(42)), sent(ann, ago(41)), received(ann, ago(40)),
  ];
}

function flagged(r: ReturnType<typeof healthOf>): string[] {
  const lists = { fading: r.fading, owed: r.owedReplies, awaiting: r.awaitingReply, noFaceTime: r.noFaceTime };
  return Object.entries(lists).filter(([, l]) => l.some((f) => f.address === ann)).map(([k]) => k);
}

describe('feedback', () => {
  const owed = [sent(ann, ago(20)), sent(ann, ago(12)), sent(ann, ago(11)), received(ann, ago(5))];
  const awaiting = [sent(ann, ago(20)), sent(ann, ago(12))];

  it('baseline: the fixtures raise the flags the tests then silence', () => {
    expect(flagged(healthOf(fadingNoFaceTime()))).toEqual(['fading', 'noFaceTime']);
    expect(flagged(healthOf(owed))).toEqual(['owed']);
    expect(flagged(healthOf(awaiting))).toEqual(['awaiting']);
  });

  it('mute removes the contact from every flag list but keeps it among the contacts', () => {
    const feedback: Feedback[] = [{ contact: ann, action: 'mute', at: iso(ago(1)) }];
    for (const ints of [fadingNoFaceTime(), owed, awaiting]) {
      const r = healthOf(ints, { feedback });
      expect(flagged(r)).toEqual([]);
      expect(contactOf(r, ann)).toBeDefined();
    }
  });

  it('snooze removes the contact from flags until `until`, then they return', () => {
    const feedback: Feedback[] = [{ contact: ann, action: 'snooze', at: iso(ago(3)), until: iso(AS_OF.getTime() + DAY) }];
    expect(flagged(healthOf(fadingNoFaceTime(), { feedback }))).toEqual([]);
    const over: Feedback[] = [{ contact: ann, action: 'snooze', at: iso(ago(40)), until: iso(AS_OF.getTime()) }];
    expect(flagged(healthOf(fadingNoFaceTime(), { feedback: over }))).toEqual(['fading', 'noFaceTime']);
  });

  it('a snooze without `until` lasts 30 days from when it was given', () => {
    const recent: Feedback[] = [{ contact: ann, action: 'snooze', at: iso(ago(29)) }];
    expect(flagged(healthOf(awaiting, { feedback: recent }))).toEqual([]);
    const old: Feedback[] = [{ contact: ann, action: 'snooze', at: iso(ago(31)) }];
    expect(flagged(healthOf(awaiting, { feedback: old }))).toEqual(['awaiting']);
  });

  it('fine judges fading against max(3 x cadence, 42) days and leaves other flags alone', () => {
    const fine: Feedback[] = [{ contact: ann, action: 'fine', at: iso(ago(1)) }];
    // silence 40: fading at 2x/21, not at 3x/42
    expect(flagged(healthOf(fadingNoFaceTime(), { feedback: fine }))).toEqual(['noFaceTime']);
    const silent43 = healthOf(establishedHistory(ann, 43, 7), { feedback: fine });
    expect(silent43.fading.map((f) => f.silenceDays)).toEqual([43]);
    const slow = healthOf(establishedHistory(ann, 45, 15), { feedback: fine }); // 3 x 15 = 45
    expect(slow.fading).toEqual([]);
  });

  it('counts only the latest answer per contact', () => {
    const feedback: Feedback[] = [
      { contact: ann, action: 'fine', at: iso(ago(2)) },
      { contact: ann, action: 'mute', at: iso(ago(10)) },
    ];
    expect(flagged(healthOf(fadingNoFaceTime(), { feedback }))).toEqual(['noFaceTime']);
  });

  it('ignores answers given after asOf, and matches addresses after normalization', () => {
    const future: Feedback[] = [{ contact: ann, action: 'mute', at: iso(AS_OF.getTime() + 1) }];
    expect(flagged(healthOf(awaiting, { feedback: future }))).toEqual(['awaiting']);
    const cased: Feedback[] = [{ contact: ' Ann@ACME.example ', action: 'mute', at: iso(ago(1)) }];
    expect(flagged(healthOf(awaiting, { feedback: cased }))).toEqual([]);
  });

  it('throws InputError naming the contact for an unreadable time', () => {
    const bad: Feedback[] = [{ contact: ann, action: 'mute', at: 'yesterday' }];
    expect(() => healthOf(awaiting, { feedback: bad })).toThrow(InputError);
    expect(() => healthOf(awaiting, { feedback: bad })).toThrow(/ann@acme\.example/);
  });
});
