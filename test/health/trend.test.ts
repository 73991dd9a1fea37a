import { describe, expect, it } from 'vitest';
import { classifyTrend } from '#lib/health/trend.ts';
import { ago, contactOf, healthOf, received, sent } from './build.ts';

describe('classifyTrend (recent 30 days vs the 90 before)', () => {
  it('is warming when the last 30 days clearly beat the expected third of the baseline', () => {
    expect(classifyTrend(5, 9)).toBe('warming'); // expected 3: 5 >= 4.5 and 5 >= 5
    expect(classifyTrend(4, 9)).toBe('steady'); // 4 < 3 + 2
  });

  it('is cooling when the last 30 days fall to half the expected or less', () => {
    expect(classifyTrend(1, 9)).toBe('cooling'); // expected 3: 1 <= 1.5 and 1 <= 2
    expect(classifyTrend(2, 9)).toBe('steady');
    expect(classifyTrend(0, 3)).toBe('cooling'); // one a month, then nothing
    expect(classifyTrend(0, 2)).toBe('steady'); // too little to call
  });

  it('is steady at the same rate', () => {
    expect(classifyTrend(3, 9)).toBe('steady');
    expect(classifyTrend(10, 30)).toBe('steady');
  });

  it('handles a zero baseline: new contact warming from 2 interactions, steady below', () => {
    expect(classifyTrend(2, 0)).toBe('warming');
    expect(classifyTrend(1, 0)).toBe('steady');
    expect(classifyTrend(0, 0)).toBe('steady');
  });

  it('is computed from interactions at the right ages', () => {
    const ann = 'ann@acme.example';
    const warming = healthOf([sent(ann, ago(100)), sent(ann, ago(5)), received(ann, ago(4)), sent(ann, ago(3))]);
    expect(contactOf(warming, ann)!.trend).toBe('warming');
    // 6 in days 31..120 (expected 2 per 30 days), 0 recent: cooling (still in the 90-day window).
    const cooling = healthOf([35, 45, 55, 65, 75, 85].map((d) => received(ann, ago(d))));
    expect(contactOf(cooling, ann)!.trend).toBe('cooling');
    // Exactly 30 days ago belongs to the baseline, not the recent period.
    const edge = healthOf([sent(ann, ago(30)), sent(ann, ago(30)), sent(ann, ago(40))]);
    expect(contactOf(edge, ann)!.trend).toBe('cooling'); // baseline 3, recent 0
    const inside = healthOf([sent(ann, ago(30) + 1), sent(ann, ago(30) + 1), sent(ann, ago(40))]);
    expect(contactOf(inside, ann)!.trend).toBe('steady'); // baseline 1, recent 2
  });
});
