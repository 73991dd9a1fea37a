import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Feedback } from '#lib/items/feedback.ts';
import { withheldContacts } from '#lib/team/entries.ts';
import { isSharing, keepPrivate, markTeamTold, shareAgain, stopSharing, teamNoticeDue, undoKeepPrivate } from '#lib/team/sharing.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { AS_OF, ago, establishedHistory, healthOf, received, sent } from '#test/health/build.ts';

const ann = 'ann@acme.example';
const iso = (ms: number) => new Date(ms).toISOString();
const history = () => [
  ...establishedHistory(ann, 100, 7),
  sent(ann, ago(45)), received(ann, ago(44)), sent(ann, ago(43)), sent(ann, ago(42)), sent(ann, ago(41)), received(ann, ago(40)),
];
const flagged = (feedback: Feedback[]) => {
  const r = healthOf(history(), { feedback });
  return { fading: r.fading.map((f) => f.address), noFaceTime: r.noFaceTime.map((f) => f.address), health: r.contacts.map((c) => c.health) };
};

describe('keep private (a sharing answer, never a flag change)', () => {
  it('private alone changes no flag and no score', () => {
    expect(flagged([{ contact: ann, action: 'private', at: iso(ago(1)) }])).toEqual(flagged([]));
    expect(flagged([]).fading).toEqual([ann]);
  });

  it('a muted contact marked private stays muted; undoing private leaves the mute', () => {
    const mute: Feedback = { contact: ann, action: 'mute', at: iso(ago(3)) };
    const priv: Feedback = { contact: ann, action: 'private', at: iso(ago(2)) };
    const undo: Feedback = { contact: ann, action: 'undo', scope: 'sharing', at: iso(ago(1)) };
    expect(flagged([mute, priv]).fading).toEqual([]);
    expect(flagged([mute, priv, undo]).fading).toEqual([]);
    expect(withheldContacts([priv], AS_OF)).toEqual(new Set([ann]));
    expect(withheldContacts([priv, undo], AS_OF)).toEqual(new Set());
    expect(withheldContacts([mute, priv, undo], AS_OF)).toEqual(new Set([ann]));
  });

  it('a flag undo does not cancel private, and a snooze or fine withholds nothing', () => {
    const priv: Feedback = { contact: ann, action: 'private', at: iso(ago(2)) };
    expect(withheldContacts([priv, { contact: ann, action: 'undo', at: iso(ago(1)) }], AS_OF)).toEqual(new Set([ann]));
    expect(withheldContacts([{ contact: ann, action: 'snooze', at: iso(ago(1)) }, { contact: 'b@x.example', action: 'fine', at: iso(ago(1)) }], AS_OF)).toEqual(new Set());
    // An answer given after asOf is not in force yet.
    expect(withheldContacts([{ contact: ann, action: 'private', at: iso(AS_OF.getTime() + 1) }], AS_OF)).toEqual(new Set());
  });

  describe('in the store', () => {
    let db: TestDynamo;
    beforeAll(async () => {
      db = await startTestDynamo();
    });
    afterAll(async () => db.close());

    it('keeps the sharing answer beside the flag answer, and undo works', async () => {
      const store = db.store();
      await store.putUser({ userId: 'u1', email: 'u1@firm.example', timeZone: 'UTC', me: [], internalDomains: [], reportsPaused: false, createdAt: AS_OF.toISOString() });
      await store.putFeedback('u1', { contact: ann, action: 'mute', at: iso(ago(3)) });
      await keepPrivate(store, 'u1', 'Ann@Acme.Example', new Date(ago(2)));
      let all = await store.listFeedback('u1');
      expect(all.map((f) => f.action).sort()).toEqual(['mute', 'private']);
      expect(withheldContacts(all, AS_OF)).toEqual(new Set([ann]));
      await undoKeepPrivate(store, 'u1', ann, new Date(ago(1)));
      all = await store.listFeedback('u1');
      expect(all.map((f) => f.action).sort()).toEqual(['mute', 'undo']);
      expect(flagged(all).fading).toEqual([]);
    });
  });
});

describe('sharing state', () => {
  let db: TestDynamo;
  beforeAll(async () => {
    db = await startTestDynamo();
  });
  afterAll(async () => db.close());

  it('stop, share again and the notice are idempotent profile changes', async () => {
    const store = db.store();
    await store.putUser({ userId: 'u9', email: 'u9@firm.example', timeZone: 'UTC', me: [], internalDomains: [], reportsPaused: false, createdAt: AS_OF.toISOString() });
    let user = (await store.getUser('u9'))!;
    expect([isSharing(user), teamNoticeDue(user)]).toEqual([true, true]);
    await markTeamTold(store, 'u9', AS_OF);
    expect(teamNoticeDue((await store.getUser('u9'))!)).toBe(false);
    expect(await stopSharing(store, 'u9', AS_OF)).toEqual({ changed: true, removed: 0 });
    expect(await stopSharing(store, 'u9', AS_OF)).toEqual({ changed: false, removed: 0 });
    user = (await store.getUser('u9'))!;
    expect([user.teamSharing, user.teamSharingAt, isSharing(user)]).toEqual(['stopped', AS_OF.toISOString(), false]);
    expect(await shareAgain(store, 'u9', AS_OF)).toEqual({ changed: true });
    expect(await shareAgain(store, 'u9', AS_OF)).toEqual({ changed: false });
    expect(isSharing((await store.getUser('u9'))!)).toBe(true);
    expect(await shareAgain(store, 'gone', AS_OF)).toEqual({ changed: false });
    expect(await stopSharing(store, 'gone', AS_OF)).toEqual({ changed: false, removed: 0 });
  });
});
