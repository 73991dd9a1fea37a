import { describe, expect, it } from 'vitest';
import { AS_OF, DAY, HOUR, ago, contactOf, healthOf, meeting, received, sent } from './build.ts';

const ann = 'ann@acme.example';

describe('window counts', () => {
  it('counts sent, received, meetings and minutes inside the window only', () => {
    const r = healthOf([
      sent(ann, ago(1)), sent(ann, ago(10)), received(ann, ago(2)),
      meeting(ann, ago(3), 45), meeting(ann, ago(4), 30),
      sent(ann, ago(120)), meeting(ann, ago(100), 60),
    ]);
    const c = contactOf(r, ann)!;
    expect(c).toMatchObject({ sent: 2, received: 1, meetings: 2, meetingMinutes: 75 });
  });

  it('puts the window edge at exactly windowDays before asOf (excluded) and asOf itself (included)', () => {
    const r = healthOf([sent(ann, ago(90)), received(ann, ago(90) + 1), sent(ann, AS_OF.getTime())]);
    expect(contactOf(r, ann)).toMatchObject({ sent: 1, received: 1 });
  });

  it('leaves out contacts with nothing in the window, and respects settings.windowDays', () => {
    const ints = [sent(ann, ago(40))];
    expect(contactOf(healthOf(ints), ann)).toBeDefined();
    expect(contactOf(healthOf(ints, { settings: { windowDays: 30 } }), ann)).toBeUndefined();
  });

  it('ignores interactions after asOf and before the held history (400 days)', () => {
    const r = healthOf([sent(ann, ago(401)), received(ann, ago(399)), sent(ann, ago(5)), sent(ann, ago(-1))]);
    const c = contactOf(r, ann)!;
    expect(c.firstInteraction).toBe(new Date(ago(399)).toISOString());
    expect(c.lastInteraction).toBe(new Date(ago(5)).toISOString());
    expect(c.sent).toBe(1);
  });
});

describe('frequency', () => {
  it('is interactions per week in the window, 2 decimals', () => {
    const ints = [sent(ann, ago(1)), received(ann, ago(2)), meeting(ann, ago(3))];
    expect(contactOf(healthOf(ints), ann)!.frequency).toBe(0.23); // 3 / (90 / 7) = 0.2333
    expect(contactOf(healthOf(ints, { settings: { windowDays: 7 } }), ann)!.frequency).toBe(3);
  });
});

describe('cadenceDays', () => {
  it('is null with fewer than 3 distinct UTC days', () => {
    const r = healthOf([sent(ann, ago(1)), received(ann, ago(1) + HOUR), sent(ann, ago(8))]);
    expect(contactOf(r, ann)!.cadenceDays).toBeNull();
  });

  it('is the median gap between distinct days (odd count of gaps)', () => {
    // days 1, 3, 10, 11 ago: gaps 7, 2, 1 -> median 2
    const r = healthOf([sent(ann, ago(1)), sent(ann, ago(3)), received(ann, ago(10)), received(ann, ago(11))]);
    expect(contactOf(r, ann)!.cadenceDays).toBe(2);
  });

  it('is the mean of the two middle gaps for an even count', () => {
    // days 1, 2, 5, 10, 20 ago: gaps 10, 5, 3, 1 -> (3 + 5) / 2 = 4
    const days = [1, 2, 5, 10, 20];
    const r = healthOf(days.map((d) => sent(ann, ago(d))));
    expect(contactOf(r, ann)!.cadenceDays).toBe(4);
  });

  it('counts UTC calendar days, not 24-hour spans', () => {
    // 23:30 and 00:30 UTC are two days one hour apart; a third day a week later.
    const midnight = Math.floor(ago(10) / DAY) * DAY;
    const r = healthOf([sent(ann, midnight - HOUR / 2), received(ann, midnight + HOUR / 2), sent(ann, midnight + 7 * DAY)]);
    expect(contactOf(r, ann)!.cadenceDays).toBe(4); // gaps 1 and 7
  });

  it('only looks at the 365 days before asOf', () => {
    const r = healthOf([sent(ann, ago(380)), sent(ann, ago(370)), sent(ann, ago(2)), sent(ann, ago(1))]);
    expect(contactOf(r, ann)!.cadenceDays).toBeNull();
  });
});

describe('reciprocity', () => {
  it('is min/max of sent and received in the window', () => {
    const r = healthOf([sent(ann, ago(1)), sent(ann, ago(2)), sent(ann, ago(3)), received(ann, ago(4))]);
    expect(contactOf(r, ann)!.reciprocity).toBe(0.33);
  });

  it('is 0 one-sided and 1 balanced', () => {
    const bob = 'bob@b.example';
    const r = healthOf([sent(ann, ago(1)), sent(ann, ago(2)), sent(bob, ago(1)), received(bob, ago(2))]);
    expect(contactOf(r, ann)!.reciprocity).toBe(0);
    expect(contactOf(r, bob)!.reciprocity).toBe(1);
  });

  it('is null when the window holds meetings only', () => {
    const r = healthOf([meeting(ann, ago(1)), sent(ann, ago(200))]);
    expect(contactOf(r, ann)!.reciprocity).toBeNull();
  });
});
