import { parseJsonAs } from '#lib/json-io.ts';
import { briefJsonSchema, type BriefAccount, type BriefAttendee, type BriefJson, type BriefMeeting } from './schema.ts';

/**
 * The brief's JSON (DESIGN section 9) is a public interface like the weekly report's: its
 * bytes must not depend on how upstream code built its objects, so every object is
 * rebuilt here key by key in the order of `briefJsonSchema` (the section's order).
 */

/** Serializes a brief as 2-space JSON with a trailing newline, keys in the schema's order. */
export function serializeBrief(brief: BriefJson): string {
  return `${JSON.stringify(orderBrief(brief), null, 2)}\n`;
}

/**
 * Reads a brief (a file, a stored copy) back and validates it against `briefJsonSchema`.
 * @throws InputError naming the first wrong field.
 */
export function parseBriefJson(value: unknown, source = 'brief'): BriefJson {
  return orderBrief(parseJsonAs(briefJsonSchema, value, source, 'brief'));
}

/** The same brief with every object rebuilt in the schema's key order. */
function orderBrief(b: BriefJson): BriefJson {
  return {
    user: b.user,
    date: b.date,
    timeZone: b.timeZone,
    lastSynced: b.lastSynced.map((s) => ({ account: s.account, at: s.at })),
    meetings: b.meetings.map(orderMeeting),
  };
}

function orderMeeting(m: BriefMeeting): BriefMeeting {
  return { start: m.start, end: m.end, attendees: m.attendees.map(orderAttendee), accounts: m.accounts.map(orderAccount) };
}

function orderAttendee(a: BriefAttendee): BriefAttendee {
  return {
    address: a.address,
    name: a.name,
    domain: a.domain,
    known: a.known,
    health: a.health,
    trend: a.trend,
    initiative: a.initiative,
    firstInteraction: a.firstInteraction,
    lastInteraction: a.lastInteraction,
    lastDirection: a.lastDirection,
    lastMeeting: a.lastMeeting,
    cadenceDays: a.cadenceDays,
    reciprocity: a.reciprocity,
    replyHours: { mine: a.replyHours.mine, theirs: a.replyHours.theirs },
    owed: a.owed.map((o) => ({ receivedAt: o.receivedAt })),
    awaiting: a.awaiting.map((o) => ({ sentAt: o.sentAt })),
    notes: a.notes.map((n) => ({ id: n.id, at: n.at, text: n.text })),
    colleagues: a.colleagues.map((c) => ({ name: c.name, tier: c.tier, lastInteraction: c.lastInteraction })),
  };
}

function orderAccount(a: BriefAccount): BriefAccount {
  return { domain: a.domain, health: a.health, activeContacts: a.activeContacts, singleThreaded: a.singleThreaded, asOf: a.asOf };
}
