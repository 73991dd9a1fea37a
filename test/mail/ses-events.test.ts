import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleSesEvent, parseSesEvent } from '#lib/mail/ses-events.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import type { Store } from '#lib/store/types.ts';
import { applyLinkAction } from '#lib/links/actions.ts';
import type { LinkClaims } from '#lib/links/token.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { seedUser } from '#test/support/report-job-fixtures.ts';

let db: TestDynamo;
let store: DynamoStore;
const asOf = new Date('2026-11-23T07:00:00Z');

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
});
afterAll(async () => db.close());

const bounce = (bounceType: string, ...addresses: string[]) =>
  parseSesEvent({
    eventType: 'Bounce',
    bounce: { bounceType, bounceSubType: 'General', bouncedRecipients: addresses.map((emailAddress) => ({ emailAddress })) },
    mail: { messageId: 'ses-1', destination: addresses },
  });

describe('handleSesEvent', () => {
  it('pauses the reports of a permanently bounced address, and takes the user off the schedule', async () => {
    const { user } = await seedUser(store, { email: 'gone@acme.com', timeZone: 'Europe/Paris', asOf, contacts: [] });
    expect(await store.listUsersForReport('Europe/Paris')).toContain(user.userId);
    const outcome = await handleSesEvent(store, bounce('Permanent', 'Gone@Acme.com'));
    expect(outcome).toEqual({ kind: 'permanent-bounce', paused: [user.userId], unknown: 0 });
    expect(await store.getUser(user.userId)).toMatchObject({ reportsPaused: true, reportsPausedReason: 'bounce' });
    expect(await store.listUsersForReport('Europe/Paris')).not.toContain(user.userId);
  });

  it('pauses on a complaint', async () => {
    const { user } = await seedUser(store, { email: 'angry@acme.com', timeZone: 'UTC', asOf, contacts: [] });
    const outcome = await handleSesEvent(
      store,
      parseSesEvent({ eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: 'angry@acme.com' }], complaintFeedbackType: 'abuse' } }),
    );
    expect(outcome.kind).toBe('complaint');
    expect(await store.getUser(user.userId)).toMatchObject({ reportsPaused: true, reportsPausedReason: 'complaint' });
  });

  it('ignores transient and undetermined bounces, deliveries and unknown recipients', async () => {
    const { user } = await seedUser(store, { email: 'full@acme.com', timeZone: 'UTC', asOf, contacts: [] });
    expect((await handleSesEvent(store, bounce('Transient', 'full@acme.com'))).kind).toBe('ignored');
    expect((await handleSesEvent(store, bounce('Undetermined', 'full@acme.com'))).kind).toBe('ignored');
    expect((await handleSesEvent(store, parseSesEvent({ eventType: 'Delivery', mail: {} }))).kind).toBe('ignored');
    expect((await store.getUser(user.userId))?.reportsPaused).toBe(false);
    expect(await handleSesEvent(store, bounce('Permanent', 'stranger@else.where', 'not an address'))).toEqual({
      kind: 'permanent-bounce',
      paused: [],
      unknown: 2,
    });
  });

  it('a bounce and a time-zone change read from the same old profile both survive', async () => {
    const { user } = await seedUser(store, { email: 'both@acme.com', timeZone: 'Europe/Paris', asOf, contacts: [] });
    const waiting: Array<() => void> = [];
    const racing = Object.assign(Object.create(store) as Store, {
      async getUser(id: string) {
        const profile = await store.getUser(id);
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length === 2) for (const release of waiting.splice(0)) release();
        });
        return profile;
      },
    });
    const claims: LinkClaims = { action: 'timezone', userId: user.userId, expiresAt: asOf.getTime() + 86_400_000 };
    await Promise.all([
      handleSesEvent(racing, bounce('Permanent', 'both@acme.com')),
      applyLinkAction(claims, { store: racing, now: () => asOf }, { timeZone: 'Asia/Tokyo' }),
    ]);
    expect(await store.getUser(user.userId)).toMatchObject({ reportsPaused: true, reportsPausedReason: 'bounce', timeZone: 'Asia/Tokyo' });
    expect(await store.listUsersForReport('Asia/Tokyo')).not.toContain(user.userId);
  });

  it('reads the older SNS notification form too, and refuses a malformed one', async () => {
    const { user } = await seedUser(store, { email: 'sns@acme.com', timeZone: 'UTC', asOf, contacts: [] });
    await handleSesEvent(store, parseSesEvent({ notificationType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'sns@acme.com' }] } }));
    expect((await store.getUser(user.userId))?.reportsPaused).toBe(true);
    expect(() => parseSesEvent({ eventType: 'Bounce', bounce: { bouncedRecipients: 'x' } })).toThrow(/SES event: bounce/);
  });
});
