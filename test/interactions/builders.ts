import type { Attendee, MailItem, MeetingItem } from '#lib/items/types.ts';
import { defaultSettings, type Settings } from '#lib/settings.ts';
import type { ExtractOptions } from '#lib/interactions/extract.ts';

/** Test builders: items with sensible defaults, overridden per test. */

export const ME = 'me@acme.com';
export const AS_OF = new Date('2026-11-23T07:00:00.000Z');

let counter = 0;

/** A mail item from Ann (external) to Me, sent a day before AS_OF unless overridden. */
export function mail(overrides: Partial<MailItem> = {}): MailItem {
  counter++;
  return {
    kind: 'mail',
    accountId: 'acct',
    source: 'gmail',
    providerId: `m${counter}`,
    messageId: `id${counter}@example.net`,
    threadId: `t${counter}`,
    at: '2026-11-22T09:00:00.000Z',
    from: 'ann@partner.io',
    to: [ME],
    cc: [],
    bcc: [],
    names: {},
    replyTo: [],
    subjectHash: `s${counter}`,
    labels: [],
    bulkSignals: [],
    ...overrides,
  };
}

/** A confirmed one-hour meeting organized by Me with Ann, a week before AS_OF. */
export function meeting(overrides: Partial<MeetingItem> = {}): MeetingItem {
  counter++;
  return {
    kind: 'meeting',
    accountId: 'cal',
    source: 'gcal',
    providerId: `e${counter}`,
    occurrenceKey: `uid${counter}`,
    start: '2026-11-16T10:00:00.000Z',
    end: '2026-11-16T11:00:00.000Z',
    status: 'confirmed',
    organizer: ME,
    attendees: [
      { address: ME, response: 'accepted' },
      { address: 'ann@partner.io', response: 'accepted' },
    ],
    ...overrides,
  };
}

/** Attendees who all accepted. */
export function accepted(...addresses: string[]): Attendee[] {
  return addresses.map((address) => ({ address, response: 'accepted' as const }));
}

/** Extraction options: Me is ME at acme.com, defaults otherwise. */
export function options(overrides: { settings?: Partial<Settings> } & Partial<Omit<ExtractOptions, 'settings'>> = {}): ExtractOptions {
  const { settings, ...rest } = overrides;
  return {
    asOf: AS_OF,
    me: [],
    accountAddresses: [ME],
    ...rest,
    settings: { ...defaultSettings, ...settings },
  };
}
