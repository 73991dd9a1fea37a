import { describe, expect, it } from 'vitest';
import { buildModel, bucketOf } from '#lib/report/model.ts';
import { InputError } from '#lib/errors.ts';
import { contact, daysBefore, report } from './fixtures.ts';

const thisWeek = report({
  contacts: [
    contact('ann@acme.com', { name: 'Ann Lee', health: 85, trend: 'warming' }),
    contact('bob@acme.com', { name: 'Bob Stone', health: 70 }),
    contact('raj@beta.io', { name: 'Raj Patel', health: 69, trend: 'warming', firstInteraction: daysBefore(2) }),
    contact('lee@gmail.com', { name: 'Lee Chan', health: 40, firstInteraction: daysBefore(8) }),
    contact('kim@gmail.com', { name: 'Kim Park', health: 39 }),
    contact('old@gamma.net', { health: 10, trend: 'cooling' }),
  ],
  owedReplies: [{ address: 'raj@beta.io', receivedAt: daysBefore(4), waitingDays: 4 }],
  accounts: [
    { domain: 'acme.com', activeContacts: 2, health: 80, singleThreaded: false },
    { domain: 'beta.io', activeContacts: 1, health: 69, singleThreaded: true },
    { domain: 'gamma.net', activeContacts: 1, health: 10, singleThreaded: true },
  ],
});

describe('buildModel', () => {
  it('buckets health: strong at 70, ok from 40 to 69, weak under 40', () => {
    expect([100, 70, 69, 40, 39, 0].map(bucketOf)).toEqual(['strong', 'strong', 'ok', 'ok', 'weak', 'weak']);
    const m = buildModel(thisWeek);
    expect(m.picture.active).toBe(6);
    expect(m.picture.distribution.map((b) => [b.bucket, b.count])).toEqual([['strong', 2], ['ok', 2], ['weak', 2]]);
  });

  it('lists strongest, warming, new this week and single-threaded accounts', () => {
    const m = buildModel(thisWeek);
    expect(m.picture.strongest.map((c) => c.address)).toEqual(['ann@acme.com', 'bob@acme.com', 'raj@beta.io', 'lee@gmail.com', 'kim@gmail.com']);
    expect(m.picture.warming.map((c) => c.displayName)).toEqual(['Ann', 'Raj']);
    // Lee's first interaction is 8 days old: not new this week.
    expect(m.picture.newThisWeek.map((c) => c.address)).toEqual(['raj@beta.io']);
    expect(m.picture.singleThreaded.map((a) => [a.label, a.contact?.address])).toEqual([['Beta', 'raj@beta.io'], ['Gamma', 'old@gamma.net']]);
  });

  it('flags the first week and computes no change without a previous report', () => {
    const m = buildModel(thisWeek);
    expect(m.firstWeek).toBe(true);
    expect(m.picture.change).toBeNull();
    expect(m.emptyWeek).toBe(false);
    expect(m.actions).toHaveLength(1);
  });

  it('computes the change since last week from the previous report', () => {
    const lastWeek = report(
      {
        contacts: [
          contact('ann@acme.com', { health: 60 }),
          contact('bob@acme.com', { health: 75 }),
          contact('kim@gmail.com', { health: 20 }),
          contact('gone@delta.org', { health: 30 }),
        ],
      },
      new Date('2026-11-17T07:00:00.000Z'),
    );
    const m = buildModel(thisWeek, { previous: lastWeek });
    expect(m.firstWeek).toBe(false);
    expect(m.picture.change).toEqual({ active: 2, buckets: { strong: 1, ok: 1, weak: 0 } });
  });

  it('leaves one-way contacts out of the picture, and keeps them in the JSON contacts', () => {
    // Two notices never answered (received only), a pitch never returned (sent only): in
    // the window, no message each way and no meeting, so no relationship (DESIGN section 5).
    const notices = contact('outlook-migration-team@enron.com', { sent: 0, received: 2, meetings: 0, meetingMinutes: 0, reciprocity: 0, health: 90, trend: 'warming', firstInteraction: daysBefore(2) });
    const pitch = contact('cold@prospect.io', { sent: 3, received: 0, meetings: 0, meetingMinutes: 0, reciprocity: 0, health: 50, trend: 'warming' });
    // A meeting alone makes it a relationship; so does one message each way.
    const met = contact('met@client.io', { sent: 0, received: 0, meetings: 1, health: 45 });
    const pair = contact('pair@client.io', { sent: 1, received: 1, meetings: 0, meetingMinutes: 0, health: 44, trend: 'warming' });
    const json = report({ contacts: [...thisWeek.contacts, notices, pitch, met, pair] });
    const m = buildModel(json);
    expect(json.contacts).toHaveLength(10);
    expect(m.picture.active).toBe(8);
    expect(m.picture.distribution.map((b) => [b.bucket, b.count])).toEqual([['strong', 2], ['ok', 4], ['weak', 2]]);
    const shown = [...m.picture.strongest, ...m.picture.warming, ...m.picture.newThisWeek].map((c) => c.address);
    expect(shown).not.toContain(notices.address);
    expect(shown).not.toContain(pitch.address);
    expect(m.picture.strongest[0]!.address).toBe('ann@acme.com');
    expect(m.picture.warming.map((c) => c.address)).toEqual(['ann@acme.com', 'raj@beta.io', 'pair@client.io']);
    expect(m.picture.warmingCount).toBe(3);
    expect(m.picture.newThisWeek.map((c) => c.address)).toEqual(['raj@beta.io']);
    // Last week's one-way contacts are not counted in the change either.
    const lastWeek = report({ contacts: [contact('ann@acme.com'), { ...notices, firstInteraction: daysBefore(9) }] }, new Date('2026-11-17T07:00:00.000Z'));
    expect(buildModel(json, { previous: lastWeek }).picture.change!.active).toBe(7);
  });

  it('refuses a previous report of another user', () => {
    const other = { ...report({}), user: 'someone@else.com' };
    expect(() => buildModel(thisWeek, { previous: other })).toThrow(InputError);
  });

  it('marks an empty week when no flag asks for action', () => {
    const m = buildModel(report({ contacts: [contact('ann@acme.com')] }));
    expect(m.emptyWeek).toBe(true);
    expect(m.actions).toEqual([]);
    expect(m.weekOf).toBe('24 Nov 2026');
  });
});
