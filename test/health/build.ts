/** Builders for health tests: interactions relative to a fixed `asOf`. */
import type { Extraction, Interaction, UpcomingMeeting } from '#lib/interactions/types.ts';
import { computeHealth } from '#lib/health/index.ts';
import type { Feedback } from '#lib/items/feedback.ts';
import type { HealthResult } from '#lib/health/types.ts';
import { defaultSettings, type Settings } from '#lib/settings.ts';

export const AS_OF = new Date('2026-11-23T07:00:00.000Z');
export const DAY = 86_400_000;
export const HOUR = 3_600_000;

/** Epoch ms `days` days (fractional allowed) before AS_OF. */
export function ago(days: number): number {
  return AS_OF.getTime() - days * DAY;
}

let seq = 0;

/** A mail interaction; by default its own thread and Message-ID, Me in To, not trashed. */
export function mail(kind: 'sent' | 'received', contact: string, at: number, o: Partial<Interaction> = {}): Interaction {
  seq++;
  return {
    contact, kind, at, itemKey: `item-${seq}`, threadId: `thread-${seq}`, messageId: `msg-${seq}@test`,
    replyTo: [], toMe: kind === 'received', trashed: false, minutes: 0, ...o,
  };
}

export const sent = (contact: string, at: number, o: Partial<Interaction> = {}): Interaction => mail('sent', contact, at, o);
export const received = (contact: string, at: number, o: Partial<Interaction> = {}): Interaction =>
  mail('received', contact, at, o);

export function meeting(contact: string, at: number, minutes = 30): Interaction {
  seq++;
  return {
    contact, kind: 'meeting', at, itemKey: `item-${seq}`, threadId: null, messageId: null,
    replyTo: [], toMe: false, trashed: false, minutes,
  };
}

/** An extraction with the interactions sorted as the extraction stage promises. */
export function extractionOf(interactions: Interaction[], upcoming: UpcomingMeeting[] = [], names?: Map<string, string>): Extraction {
  const sorted = [...interactions].sort(
    (a, b) => a.at - b.at || cmp(a.contact, b.contact) || cmp(a.kind, b.kind) || cmp(a.itemKey, b.itemKey),
  );
  return {
    interactions: sorted,
    upcoming,
    names: names ?? new Map(),
    me: new Set(['me@mine.example']),
    internalDomains: ['mine.example'],
    excluded: { automated: 0, broadcast: 0, internal: 0, duplicates: 0 },
  };
}

/** computeHealth at AS_OF over these interactions. */
export function healthOf(
  interactions: Interaction[],
  o: { upcoming?: UpcomingMeeting[]; feedback?: Feedback[]; settings?: Partial<Settings>; asOf?: Date; calendar?: boolean } = {},
): HealthResult {
  return computeHealth(extractionOf(interactions, o.upcoming), {
    asOf: o.asOf ?? AS_OF,
    settings: { ...defaultSettings, ...o.settings },
    feedback: o.feedback,
    ...(o.calendar === undefined ? {} : { calendar: o.calendar }),
  });
}

/** The one contact row for `address`, or undefined. */
export function contactOf(result: HealthResult, address: string) {
  return result.contacts.find((c) => c.address === address);
}

/**
 * An established contact: 8 interactions on 4 distinct days, both directions, with the
 * last one `lastDaysAgo` days ago and a cadence of `cadence` days.
 */
export function establishedHistory(contact: string, lastDaysAgo: number, cadence = 7): Interaction[] {
  const out: Interaction[] = [];
  for (let k = 0; k < 4; k++) {
    const day = lastDaysAgo + (3 - k) * cadence;
    out.push(received(contact, ago(day) - HOUR), sent(contact, ago(day)));
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
