/** Builders for brief tests: a person at acme.com in Paris, and their day 2026-11-24. */
import type { Item, MeetingItem } from '#lib/items/types.ts';
import { computeBrief, type BriefInput } from '#lib/brief/compute.ts';
import type { BriefJson } from '#lib/brief/schema.ts';
import { defaultSettings } from '#lib/settings.ts';
import { ME, accepted, meeting } from '#test/interactions/builders.ts';

export { ME, accepted, mail, meeting } from '#test/interactions/builders.ts';

export const DATE = '2026-11-24';
export const ZONE = 'Europe/Paris';
/** 07:00 in Paris on DATE. */
export const AS_OF = new Date('2026-11-24T06:00:00.000Z');
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** ISO instant `hours` hours before AS_OF. */
export function hoursAgo(hours: number): string {
  return new Date(AS_OF.getTime() - hours * HOUR).toISOString();
}

/** ISO instant `days` days before AS_OF. */
export function daysAgo(days: number): string {
  return new Date(AS_OF.getTime() - days * DAY).toISOString();
}

/** A meeting organized by Me with these attendees (all accepted), from `start` for `minutes`. */
export function meetingWith(start: string, attendees: string[], o: Partial<MeetingItem> = {}, minutes = 30): MeetingItem {
  return meeting({
    start,
    end: new Date(Date.parse(start) + minutes * 60_000).toISOString(),
    attendees: accepted(ME, ...attendees),
    ...o,
  });
}

/** computeBrief for the Paris person on DATE (or as overridden). */
export function briefOf(items: Item[], o: Partial<BriefInput> = {}): BriefJson {
  return computeBrief({
    items,
    user: { email: ME, timeZone: ZONE, me: [], internalDomains: [] },
    accounts: [{ address: ME, aliases: [], lastSyncAt: '2026-11-24T05:30:00.000Z' }],
    date: DATE,
    settings: defaultSettings,
    ...o,
  });
}

/** The attendee block of `address` in the brief's first meeting naming them. */
export function attendeeOf(brief: BriefJson, address: string) {
  for (const m of brief.meetings) {
    const a = m.attendees.find((x) => x.address === address);
    if (a) return a;
  }
  throw new Error(`${address} is not briefed`);
}
