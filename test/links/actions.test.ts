import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { InputError, ProviderUnavailableError } from '#lib/errors.ts';
import { applyLinkAction, UserGoneError, type LinkActionDeps, type LinkedUser } from '#lib/links/actions.ts';
import type { LinkClaims } from '#lib/links/token.ts';
import { tokenContext } from '#lib/connect/accounts.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import type { Store } from '#lib/store/types.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { aUser, anAccount } from './fixtures.ts';

const T0 = Date.UTC(2026, 10, 23, 9);
const DAY = 86_400_000;
const ANN = 'ann@acme.com';

let db: TestDynamo;
let store: DynamoStore;
let clock: number;
let userId: string;
let users = 0;

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
});
afterAll(async () => db.close());
beforeEach(async () => {
  users += 1;
  userId = `u-act-${users}`;
  clock = T0;
  await store.putUser(aUser(userId));
});

function deps(extra: Partial<LinkActionDeps> = {}): LinkActionDeps {
  return { store, now: () => new Date(clock), ...extra };
}

function claims(action: LinkClaims['action'], extra: Partial<LinkClaims> = {}): LinkClaims {
  return { action, userId, expiresAt: T0 + 60 * DAY, ...extra };
}

describe('answers about a contact', () => {
  it('stores a mute under the normalized contact, once', async () => {
    const first = await applyLinkAction(claims('mute', { contact: ' Ann@ACME.com ' }), deps());
    expect(first).toStrictEqual({ action: 'mute', changed: true, contact: ANN });
    clock += DAY;
    const again = await applyLinkAction(claims('mute', { contact: ANN }), deps());
    expect(again.changed).toBe(false);
    expect(await store.listFeedback(userId)).toStrictEqual([{ contact: ANN, action: 'mute', at: new Date(T0).toISOString() }]);
  });

  it('snoozes for the link\'s days (30 by default) and does not extend a snooze in force', async () => {
    const snoozed = await applyLinkAction(claims('snooze', { contact: ANN }), deps());
    expect(snoozed).toMatchObject({ changed: true, until: new Date(T0 + 30 * DAY).toISOString() });
    clock += 10 * DAY;
    const again = await applyLinkAction(claims('snooze', { contact: ANN }), deps());
    expect(again).toMatchObject({ changed: false, until: new Date(T0 + 30 * DAY).toISOString() });
    // Once it has ended, a snooze link starts a new one.
    clock = T0 + 31 * DAY;
    const fresh = await applyLinkAction(claims('snooze', { contact: ANN, days: 7 }), deps());
    expect(fresh).toMatchObject({ changed: true, until: new Date(clock + 7 * DAY).toISOString() });
  });

  it('replaces a different answer: the latest wins', async () => {
    await applyLinkAction(claims('fine', { contact: ANN }), deps());
    clock += DAY;
    expect((await applyLinkAction(claims('mute', { contact: ANN }), deps())).changed).toBe(true);
    expect((await store.listFeedback(userId)).map((f) => f.action)).toStrictEqual(['mute']);
  });

  it('undoes with an explicit record, once; an undo with nothing to undo changes nothing', async () => {
    expect((await applyLinkAction(claims('undo', { contact: ANN }), deps())).changed).toBe(false);
    expect(await store.listFeedback(userId)).toStrictEqual([]);
    await applyLinkAction(claims('mute', { contact: ANN }), deps());
    clock += DAY;
    expect((await applyLinkAction(claims('undo', { contact: ANN }), deps())).changed).toBe(true);
    const undone = await store.listFeedback(userId);
    expect(undone).toStrictEqual([{ contact: ANN, action: 'undo', at: new Date(clock).toISOString() }]);
    clock += DAY;
    expect((await applyLinkAction(claims('undo', { contact: ANN }), deps())).changed).toBe(false);
    expect(await store.listFeedback(userId)).toStrictEqual(undone);
    // The mute link works again after its undo.
    expect((await applyLinkAction(claims('mute', { contact: ANN }), deps())).changed).toBe(true);
  });

  it('treats an ended snooze as nothing to undo', async () => {
    await applyLinkAction(claims('snooze', { contact: ANN, days: 1 }), deps());
    clock += 2 * DAY;
    expect((await applyLinkAction(claims('undo', { contact: ANN }), deps())).changed).toBe(false);
  });

  it('needs a contact address', async () => {
    await expect(applyLinkAction(claims('mute'), deps())).rejects.toThrow(/must name a contact address \(got null\)/);
    await expect(applyLinkAction(claims('fine', { contact: 'not an address' }), deps())).rejects.toThrow(InputError);
  });

  it('writes nothing for a person who is gone', async () => {
    const gone = { ...claims('mute', { contact: ANN }), userId: 'u-never' };
    await expect(applyLinkAction(gone, deps())).rejects.toThrow(UserGoneError);
    expect(await store.listFeedback('u-never')).toStrictEqual([]);
    expect(await store.deleteUser('u-never')).toBe(0);
  });
});

describe('reports: pause, resume, unsubscribe', () => {
  it('pauses and resumes, each once', async () => {
    expect(await applyLinkAction(claims('pause'), deps())).toStrictEqual({ action: 'pause', changed: true });
    expect((await store.getUser(userId))!.reportsPaused).toBe(true);
    expect(await store.listUsersForReport('Europe/London')).not.toContain(userId);
    expect((await applyLinkAction(claims('pause'), deps())).changed).toBe(false);
    expect((await applyLinkAction(claims('resume'), deps())).changed).toBe(true);
    expect(await store.listUsersForReport('Europe/London')).toContain(userId);
    expect((await applyLinkAction(claims('resume'), deps())).changed).toBe(false);
  });

  it('records an unsubscribe on the profile, keeps its first time, and clears it on resume', async () => {
    await applyLinkAction(claims('unsubscribe'), deps());
    const user = (await store.getUser(userId)) as LinkedUser;
    expect(user).toStrictEqual({ ...aUser(userId), reportsPaused: true, unsubscribedAt: new Date(T0).toISOString() });
    clock += DAY;
    expect((await applyLinkAction(claims('unsubscribe'), deps())).changed).toBe(false);
    expect(((await store.getUser(userId)) as LinkedUser).unsubscribedAt).toBe(new Date(T0).toISOString());
    await applyLinkAction(claims('resume'), deps());
    expect(await store.getUser(userId)).toStrictEqual(aUser(userId));
  });

  it('resume clears the reason Sinew paused for (a complaint), and pause keeps it', async () => {
    await store.putUser({ ...aUser(userId), reportsPaused: true, reportsPausedReason: 'complaint' });
    expect((await applyLinkAction(claims('pause'), deps())).changed).toBe(false);
    expect((await store.getUser(userId))!.reportsPausedReason).toBe('complaint');
    expect((await applyLinkAction(claims('resume'), deps())).changed).toBe(true);
    expect(await store.getUser(userId)).toStrictEqual(aUser(userId));
  });

  it('turns a pause into an unsubscribe', async () => {
    await applyLinkAction(claims('pause'), deps());
    expect((await applyLinkAction(claims('unsubscribe'), deps())).changed).toBe(true);
    expect(((await store.getUser(userId)) as LinkedUser).unsubscribedAt).toBeDefined();
  });
});

describe('time zone', () => {
  it('sets a valid zone in its canonical spelling, once', async () => {
    expect(await applyLinkAction(claims('timezone'), deps(), { timeZone: 'europe/paris' })).toStrictEqual({
      action: 'timezone', changed: true, timeZone: 'Europe/Paris',
    });
    expect((await store.getUser(userId))!.timeZone).toBe('Europe/Paris');
    expect(await store.listUsersForReport('Europe/Paris')).toContain(userId);
    expect((await applyLinkAction(claims('timezone'), deps(), { timeZone: 'Europe/Paris' })).changed).toBe(false);
    expect(await applyLinkAction(claims('timezone'), deps(), { timeZone: 'utc' })).toMatchObject({ timeZone: 'UTC' });
  });

  it('refuses what is not an IANA zone, naming it', async () => {
    for (const bad of ['Mars/Olympus', '+01:00', 'Europe/Paris<script>', 'x'.repeat(80)]) {
      await expect(applyLinkAction(claims('timezone'), deps(), { timeZone: bad })).rejects.toThrow(
        new InputError(`timeZone ${JSON.stringify(bad)} is not an IANA time zone such as Europe/Paris`),
      );
    }
    await expect(applyLinkAction(claims('timezone'), deps(), {})).rejects.toThrow(/timeZone is missing/);
    expect((await store.getUser(userId))!.timeZone).toBe('Europe/London');
  });
});

/** A store whose getUser holds each reader until `readers` have read: all see the same old profile. */
function sameOldProfile(readers: number): Store {
  const waiting: Array<() => void> = [];
  return Object.assign(Object.create(store) as Store, {
    async getUser(id: string) {
      const profile = await store.getUser(id);
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === readers) for (const release of waiting.splice(0)) release();
      });
      return profile;
    },
  });
}

describe('changes of one setting at once', () => {
  it('an unsubscribe and a time-zone change read from the same old profile both survive', async () => {
    const racing = deps({ store: sameOldProfile(2) });
    const [unsubscribed, zoned] = await Promise.all([
      applyLinkAction(claims('unsubscribe'), racing),
      applyLinkAction(claims('timezone'), racing, { timeZone: 'Asia/Tokyo' }),
    ]);
    expect(unsubscribed.changed && zoned.changed).toBe(true);
    expect(await store.getUser(userId)).toStrictEqual({ ...aUser(userId), reportsPaused: true, unsubscribedAt: new Date(T0).toISOString(), timeZone: 'Asia/Tokyo' });
    expect(await store.listUsersForReport('Asia/Tokyo')).not.toContain(userId);
    expect(await store.listUsersForReport('Europe/London')).not.toContain(userId);
  });

  it('a resume and a time-zone change read from the same old profile: reports go out in the new zone', async () => {
    await applyLinkAction(claims('pause'), deps());
    const racing = deps({ store: sameOldProfile(2) });
    await Promise.all([applyLinkAction(claims('resume'), racing), applyLinkAction(claims('timezone'), racing, { timeZone: 'Asia/Tokyo' })]);
    expect(await store.getUser(userId)).toStrictEqual({ ...aUser(userId), timeZone: 'Asia/Tokyo' });
    expect(await store.listUsersForReport('Asia/Tokyo')).toContain(userId);
    expect(await store.listUsersForReport('Europe/London')).not.toContain(userId);
  });

  it('a pause link applied while its person disconnects does not bring the profile back', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let read!: () => void;
    const wasRead = new Promise<void>((resolve) => (read = resolve));
    const slow = Object.assign(Object.create(store) as Store, {
      async getUser(id: string) {
        const profile = await store.getUser(id);
        read();
        await held;
        return profile;
      },
    });
    const pausing = applyLinkAction(claims('pause'), deps({ store: slow }));
    await wasRead;
    await applyLinkAction(claims('disconnect'), deps());
    release();
    await expect(pausing).rejects.toThrow(UserGoneError);
    expect(await store.getUser(userId)).toBeUndefined();
    expect(await store.deleteUser(userId)).toBe(0);
  });
});

describe('disconnect', () => {
  async function connect(): Promise<{ vault: LocalKeyVault; google: string }> {
    const vault = LocalKeyVault.fromKey(randomBytes(32));
    const google = anAccount(userId, 'google', 'pat@example.com');
    google.encryptedToken = await vault.seal('1//refresh-google', tokenContext(google));
    const ms = anAccount(userId, 'microsoft', 'pat@example.org');
    ms.encryptedToken = await vault.seal('ms-refresh', tokenContext(ms));
    await store.putAccount(google);
    await store.putAccount(ms);
    await store.putAccount(anAccount(userId, 'files', 'pat@example.com'));
    await store.putFeedback(userId, { contact: ANN, action: 'mute', at: new Date(T0).toISOString() });
    await store.putReport(userId, '2026-W47', '{}');
    return { vault, google: google.accountId };
  }

  it('revokes Google, discards Microsoft, then deletes the partition; a second time changes nothing', async () => {
    const { vault } = await connect();
    const revoked: string[] = [];
    const revoker = { revoke: async (t: string) => void revoked.push(t) };
    const outcome = await applyLinkAction(claims('disconnect'), deps({ vault, revoker: async () => revoker }));
    expect(revoked).toStrictEqual(['1//refresh-google']);
    expect(outcome).toMatchObject({ action: 'disconnect', changed: true, deletedItems: 6 });
    if (outcome.action !== 'disconnect') throw new Error('unreachable');
    expect(outcome.accounts.map((a) => [a.provider, a.grant, a.settingsUrl ?? null])).toStrictEqual([
      ['files', 'none', null],
      ['google', 'revoked', null],
      ['microsoft', 'discarded', 'https://myapps.microsoft.com'],
    ]);
    expect(await store.getUser(userId)).toBeUndefined();
    expect(await store.listAccounts(userId)).toStrictEqual([]);
    const again = await applyLinkAction(claims('disconnect'), deps({ vault, revoker: async () => revoker }));
    expect(again).toStrictEqual({ action: 'disconnect', changed: false, accounts: [], deletedItems: 0 });
    expect(revoked).toHaveLength(1);
  });

  it('deletes nothing while Google is unavailable, so the user can retry and still revoke', async () => {
    const { vault } = await connect();
    const down = { revoke: async () => Promise.reject(new ProviderUnavailableError('Google is down', 503)) };
    await expect(applyLinkAction(claims('disconnect'), deps({ vault, revoker: async () => down }))).rejects.toThrow(ProviderUnavailableError);
    expect(await store.listAccounts(userId)).toHaveLength(3);
    expect(await store.getUser(userId)).toBeDefined();
  });

  it('deletes anyway when the token cannot be opened, and says where to remove access', async () => {
    await connect();
    const otherVault = LocalKeyVault.fromKey(randomBytes(32));
    const outcome = await applyLinkAction(claims('disconnect'), deps({ vault: otherVault, revoker: async () => ({ revoke: async () => undefined }) }));
    if (outcome.action !== 'disconnect') throw new Error('unreachable');
    expect(outcome.accounts.find((a) => a.provider === 'google')).toMatchObject({
      grant: 'not-revoked', settingsUrl: 'https://myaccount.google.com/permissions',
    });
    expect(await store.listAccounts(userId)).toStrictEqual([]);
  });
});

it('leaves join and reconnect to the connect page', async () => {
  await expect(applyLinkAction(claims('join'), deps())).rejects.toThrow(/opened by the connect page/);
  await expect(applyLinkAction(claims('reconnect', { accountId: 'google-x' }), deps())).rejects.toThrow(InputError);
});
