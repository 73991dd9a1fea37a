import { describe, expect, it } from 'vitest';
import { mulberry32 } from '#lib/random.ts';
import type { Interaction } from '#lib/interactions/types.ts';
import { AS_OF, HOUR, ago, contactOf, extractionOf, healthOf, mail, meeting, received, sent } from './build.ts';

const ann = 'ann@acme.example';
const replyHours = (ints: Parameters<typeof healthOf>[0]) => contactOf(healthOf(ints), ann)!.replyHours;

describe('reply pairing', () => {
  it('pairs by In-Reply-To/References even across threads', () => {
    const q = received(ann, ago(5), { threadId: 'a', messageId: 'q@x' });
    const r = sent(ann, ago(5) + 3 * HOUR, { threadId: 'b', replyTo: ['q@x'] });
    expect(replyHours([q, r])).toEqual({ mine: 3, theirs: null });
  });

  it('falls back to the next outbound message in the same thread when replyTo is missing', () => {
    const q = received(ann, ago(5), { threadId: 'a' });
    const r1 = sent(ann, ago(5) + 2 * HOUR, { threadId: 'a' });
    const r2 = sent(ann, ago(5) + 10 * HOUR, { threadId: 'a' });
    expect(replyHours([q, r1, r2])).toEqual({ mine: 2, theirs: null });
  });

  it('does not pair messages of different threads without a reference', () => {
    const q = received(ann, ago(5), { threadId: 'a' });
    const r = sent(ann, ago(5) + HOUR, { threadId: 'b' });
    expect(replyHours([q, r])).toEqual({ mine: null, theirs: null });
  });

  it('takes the earliest answer when a reference and the thread disagree', () => {
    const q = received(ann, ago(5), { threadId: 'a', messageId: 'q@x' });
    const viaOtherThread = sent(ann, ago(5) + HOUR, { threadId: 'b', replyTo: ['q@x'] });
    const inThread = sent(ann, ago(5) + 5 * HOUR, { threadId: 'a' });
    expect(replyHours([q, viaOtherThread, inThread])).toEqual({ mine: 1, theirs: null });
  });

  it('lets one message answer every unanswered message of the other side before it in the thread', () => {
    const q1 = received(ann, ago(5), { threadId: 'a' });
    const q2 = received(ann, ago(5) + 2 * HOUR, { threadId: 'a' });
    const r = sent(ann, ago(5) + 4 * HOUR, { threadId: 'a' });
    // latencies 4 and 2: median 3
    expect(replyHours([q1, q2, r])).toEqual({ mine: 3, theirs: null });
  });

  it('measures their replies to me symmetrically', () => {
    const q = sent(ann, ago(5), { threadId: 'a', messageId: 'mine@x' });
    const r = received(ann, ago(5) + 30 * HOUR, { threadId: 'z', replyTo: ['mine@x'] });
    const q2 = sent(ann, ago(3), { threadId: 'c' });
    const r2 = received(ann, ago(3) + 10 * HOUR, { threadId: 'c' });
    expect(replyHours([q, r, q2, r2])).toEqual({ mine: null, theirs: 20 });
  });

  it('ignores references to my own earlier messages when pairing my replies', () => {
    const mine1 = sent(ann, ago(5), { threadId: 'a', messageId: 'm1@x' });
    const mine2 = sent(ann, ago(5) + HOUR, { threadId: 'b', replyTo: ['m1@x'] });
    expect(replyHours([mine1, mine2])).toEqual({ mine: null, theirs: null });
  });

  it('ignores a reference to a message of another contact', () => {
    const q = received('bob@b.example', ago(5), { threadId: 'a', messageId: 'q@x' });
    const r = sent(ann, ago(5) + HOUR, { threadId: 'b', replyTo: ['q@x'] });
    expect(replyHours([q, r])).toEqual({ mine: null, theirs: null });
  });

  it('finds the right recipient of a message sent to several people (one Message-ID, many interactions)', () => {
    const bob = 'bob@b.example';
    const out = [sent(ann, ago(5), { threadId: 'a', messageId: 'all@x' }), sent(bob, ago(5), { threadId: 'a', messageId: 'all@x' })];
    const annReply = received(ann, ago(5) + 6 * HOUR, { threadId: 'z', replyTo: ['all@x'] });
    const r = healthOf([...out, annReply]);
    expect(contactOf(r, ann)!.replyHours.theirs).toBe(6);
    expect(contactOf(r, bob)!.replyHours.theirs).toBeNull();
  });

  it('counts a reply when the answer falls in the window, however old the question', () => {
    const q = received(ann, ago(100), { threadId: 'a' });
    const r = sent(ann, ago(80), { threadId: 'a' });
    expect(replyHours([q, r]).mine).toBe(20 * 24);
    const old = [received(ann, ago(120), { threadId: 'b' }), sent(ann, ago(95), { threadId: 'b' }), sent(ann, ago(1))];
    expect(replyHours(old).mine).toBeNull();
  });

  it('ignores meetings and gives null without replies', () => {
    expect(replyHours([received(ann, ago(5)), meeting(ann, ago(4)), sent(ann, ago(3))])).toEqual({ mine: null, theirs: null });
  });

  it('rounds the median to 2 decimals', () => {
    const q = received(ann, ago(5), { threadId: 'a' });
    const r = sent(ann, ago(5) + 20 * 60_000, { threadId: 'a' });
    expect(replyHours([q, r]).mine).toBe(0.33);
  });
});

describe('reply pairing against a brute-force reading of the definition', () => {
  /** O(n^2) pairing straight from DESIGN section 3, for comparison. */
  function bruteForce(ints: Interaction[], contact: string, windowStart: number): { mine: number | null; theirs: number | null } {
    const mail = ints.filter((i) => i.contact === contact && i.kind !== 'meeting');
    const mine: number[] = [];
    const theirs: number[] = [];
    mail.forEach((q, qi) => {
      const answer = mail.findIndex((o, oi) => {
        if (oi <= qi || o.kind === q.kind) return false;
        if (q.messageId !== null && o.replyTo.includes(q.messageId)) return true;
        if (q.threadId === null || o.threadId !== q.threadId) return false;
        // the next message of the other side in q's thread after q
        return !mail.slice(qi + 1, oi).some((x) => x.threadId === q.threadId && x.kind !== q.kind);
      });
      if (answer < 0) return;
      const o = mail[answer]!;
      if (o.at > windowStart) (o.kind === 'sent' ? mine : theirs).push((o.at - q.at) / HOUR);
    });
    const med = (xs: number[]) => {
      if (xs.length === 0) return null;
      const s = [...xs].sort((a, b) => a - b);
      const m = s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
      return Math.round(m * 100) / 100;
    };
    return { mine: med(mine), theirs: med(theirs) };
  }

  it('agrees on 200 random mailboxes with shared threads, split threads and multi-recipient mail', () => {
    const rand = mulberry32(99);
    const people = ['a@x.example', 'b@x.example', 'c@y.example'];
    let compared = 0;
    for (let round = 0; round < 200; round++) {
      const ints: Interaction[] = [];
      const ids: string[] = [];
      let t = ago(150);
      for (let k = 0; k < 50; k++) {
        t += Math.floor(rand() * 3 * 86_400_000) + 1;
        const id = `r${round}-${k}@test`;
        const threadId = rand() < 0.1 ? null : `th${Math.floor(rand() * 6)}`;
        const replyTo = ids.filter(() => rand() < 0.04);
        const who = people[Math.floor(rand() * people.length)]!;
        const kind = rand() < 0.5 ? 'sent' : 'received';
        ints.push(mail(kind, who, t, { threadId, messageId: id, replyTo }));
        if (kind === 'sent' && rand() < 0.3) {
          const other = people.find((p) => p !== who)!;
          ints.push(mail('sent', other, t, { threadId, messageId: id, replyTo }));
        }
        if (rand() < 0.1) ints.push(meeting(who, t + 1));
        ids.push(id);
      }
      const result = healthOf(ints.filter((i) => i.at <= AS_OF.getTime()));
      for (const c of result.contacts) {
        expect(c.replyHours, `round ${round} ${c.address}`).toEqual(bruteForce(extractionOf(ints).interactions, c.address, ago(90)));
        if (c.replyHours.mine !== null && c.replyHours.theirs !== null) compared++;
      }
    }
    expect(compared).toBeGreaterThan(200);
  });
});
