import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleSesEvent, parseSesEvent } from '../../lib/service/ses-events.ts';
import type { DynamoStore } from '../../lib/store/dynamodb/store.ts';
import { startTestDynamo, type TestDynamo } from '../support/dynalite.ts';
import { seedUser } from './report-fixtures.ts';

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

  it('reads the older SNS notification form too, and refuses a malformed one', async () => {
    const { user } = await seedUser(store, { email: 'sns@acme.com', timeZone: 'UTC', asOf, contacts: [] });
    await handleSesEvent(store, parseSesEvent({ notificationType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'sns@acme.com' }] } }));
    expect((await store.getUser(user.userId))?.reportsPaused).toBe(true);
    expect(() => parseSesEvent({ eventType: 'Bounce', bounce: { bouncedRecipients: 'x' } })).toThrow(/SES event: bounce/);
  });
});
