import type { MailItem, MeetingItem } from '#lib/items/types.ts';
import type { Store, User } from '#lib/store/types.ts';
import { accountIdFor, userIdFor } from '#lib/connect/identity.ts';

/**
 * A small firm for team-view tests: people at firm.example, each with a mailbox whose
 * items a sync would leave, and contacts in a few shapes relative to `asOf`.
 */

export const FIRM_AS_OF = new Date('2026-11-23T07:00:00.000Z');
const DAY = 86_400_000;

/**
 * - `active`: eight messages both ways over the last 60 days;
 * - `sentOnly`: three messages out, none back, in the last 30 days;
 * - `fading`: a weekly exchange that stopped 40 days ago (fading, and no face-time);
 * - `meeting`: one meeting 10 days ago, no mail.
 */
export type Shape = 'active' | 'sentOnly' | 'fading' | 'meeting';

export interface FirmContact {
  address: string;
  name: string;
  shape: Shape;
}

export interface FirmPerson {
  email: string;
  name: string;
  contacts: FirmContact[];
  teamSharing?: 'sharing' | 'stopped';
}

/** Stores one person, their mailbox and their items; resolves their user id. */
export async function seedPerson(store: Store, p: FirmPerson, asOf = FIRM_AS_OF): Promise<string> {
  const userId = userIdFor(p.email);
  const user: User = {
    userId, email: p.email, timeZone: 'UTC', me: [p.email], internalDomains: [], reportsPaused: false,
    createdAt: new Date(asOf.getTime() - 400 * DAY).toISOString(),
    ...(p.teamSharing ? { teamSharing: p.teamSharing } : {}),
  };
  await store.putUser(user);
  const accountId = accountIdFor('google', p.email);
  await store.putAccount({ userId, accountId, provider: 'google', address: p.email, aliases: [], status: 'active', errorCount: 0, cursors: {}, grantedScopes: [] });
  const items: Array<MailItem | MeetingItem> = [];
  let n = 0;
  const mail = (daysAgo: number, c: FirmContact, outbound: boolean): void => {
    n++;
    const from = outbound ? p.email : c.address;
    const to = outbound ? c.address : p.email;
    items.push({
      kind: 'mail', accountId, source: 'gmail', providerId: `p-${n}`, messageId: `m-${n}.${userId}@mail.example`, threadId: `t-${n}`,
      at: new Date(asOf.getTime() - daysAgo * DAY).toISOString(), from, to: [to], cc: [], bcc: [],
      names: { [p.email]: p.name, [c.address]: c.name }, replyTo: [], subjectHash: `s-${n}`,
      labels: outbound ? ['SENT'] : ['INBOX'], bulkSignals: [],
    });
  };
  for (const c of p.contacts) {
    if (c.shape === 'active') for (let i = 0; i < 8; i++) mail(60 - i * 7, c, i % 2 === 0);
    if (c.shape === 'sentOnly') for (const d of [25, 15, 5]) mail(d, c, true);
    if (c.shape === 'fading') for (let i = 0; i < 10; i++) mail(40 + (9 - i) * 7, c, i % 2 === 1);
    if (c.shape === 'meeting') {
      n++;
      const start = asOf.getTime() - 10 * DAY;
      items.push({
        kind: 'meeting', accountId, source: 'gcal', providerId: `e-${n}`, occurrenceKey: `uid-${n}@cal.example#${start}`,
        start: new Date(start).toISOString(), end: new Date(start + 30 * 60_000).toISOString(), status: 'confirmed', organizer: p.email,
        attendees: [{ address: p.email, name: p.name, response: 'accepted' }, { address: c.address, name: c.name, response: 'accepted' }],
      });
    }
  }
  await store.putItems(userId, items);
  return userId;
}
