import { describe, expect, it } from 'vitest';
import { classifyInitiative } from '#lib/health/initiative.ts';
import type { Interaction } from '#lib/interactions/types.ts';
import { HOUR, ago, contactOf, healthOf, received, sent } from './build.ts';

const ann = 'ann@acme.example';
const initiativeOf = (ints: Interaction[]) => contactOf(healthOf(ints), ann)!.initiative;

describe('initiative', () => {
  it('is you-chase when I start most threads and they rarely answer', () => {
    const ints = [
      sent(ann, ago(50), { threadId: 'a' }), sent(ann, ago(40), { threadId: 'b' }),
      sent(ann, ago(30), { threadId: 'c' }), received(ann, ago(29), { threadId: 'c' }),
    ];
    expect(initiativeOf(ints)).toBe('you-chase'); // 3 mine, 0 theirs, 1 of 3 answered
  });

  it('is they-chase when they start most threads and I rarely answer', () => {
    const ints = [received(ann, ago(50), { threadId: 'a' }), received(ann, ago(40), { threadId: 'b' })];
    expect(initiativeOf(ints)).toBe('they-chase');
  });

  it('is mutual when threads are answered, even if one side starts them all', () => {
    const ints = [
      sent(ann, ago(50), { threadId: 'a' }), received(ann, ago(50) + HOUR, { threadId: 'a' }),
      sent(ann, ago(40), { threadId: 'b' }), received(ann, ago(40) + HOUR, { threadId: 'b' }),
      sent(ann, ago(30), { threadId: 'c' }),
    ];
    expect(initiativeOf(ints)).toBe('mutual');
  });

  it('is mutual when both sides start threads', () => {
    const ints = [
      sent(ann, ago(50), { threadId: 'a' }), sent(ann, ago(45), { threadId: 'b' }),
      received(ann, ago(40), { threadId: 'c' }), received(ann, ago(35), { threadId: 'd' }),
    ];
    expect(initiativeOf(ints)).toBe('mutual');
  });

  it('counts only threads started in the window, by their first message over the held history', () => {
    // Threads started by them before the window; my later messages in them start nothing.
    const ints = [
      received(ann, ago(200), { threadId: 'a' }), received(ann, ago(150), { threadId: 'b' }),
      sent(ann, ago(10), { threadId: 'a' }), sent(ann, ago(9), { threadId: 'b' }),
      sent(ann, ago(8), { threadId: 'c' }),
    ];
    expect(initiativeOf(ints)).toBe('mutual'); // one thread in the window: too few
  });

  it('applies the documented thresholds on counts', () => {
    expect(classifyInitiative(1, 0, 0, 0)).toBe('mutual');
    expect(classifyInitiative(2, 0, 0, 0)).toBe('you-chase');
    expect(classifyInitiative(4, 2, 1, 0)).toBe('you-chase');
    expect(classifyInitiative(4, 2, 2, 0)).toBe('mutual'); // half answered is not "rarely"
    expect(classifyInitiative(3, 2, 0, 0)).toBe('mutual'); // not twice as many
    expect(classifyInitiative(0, 3, 0, 1)).toBe('they-chase');
  });
});
