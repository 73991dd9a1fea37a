import type { ContactHealth } from '#lib/health/types.ts';
import { AWAITING_DAYS, DAY_MS } from '#lib/health/windows.ts';
import type { Interaction } from '#lib/interactions/types.ts';
import { domainOf } from '#lib/items/normalize.ts';
import type { BriefAttendee, BriefColleague, BriefNote, LastDirection } from './schema.ts';

/**
 * One attendee's block of the brief (DESIGN section 9). The relationship's numbers are
 * the health stage's own (`ContactHealth`, computed as the weekly report computes them);
 * what the health stage does not keep per message (the last interaction's direction, the
 * last meeting, each unanswered message) is read from the attendee's own interactions.
 */

/** Everything one attendee's block is made of. */
export interface AttendeeInput {
  /** Normalized address. */
  address: string;
  /** Display name: the most recent one Sinew saw, else the invitation's; null when none. */
  name: string | null;
  /** The health stage's row, or undefined when Sinew has never exchanged with them. */
  health: ContactHealth | undefined;
  /** Their interactions before `asOf`, in time order (see {@link historiesOf}). */
  history: readonly Interaction[];
  /** Instants (ISO) of their messages owed a reply, oldest first. */
  owed: readonly string[];
  asOf: number;
  notes: readonly BriefNote[];
  colleagues: readonly BriefColleague[];
}

/**
 * The interactions of each of `contacts`, in the extraction's time order: one pass over
 * every interaction, so its cost does not grow with the number of attendees.
 */
export function historiesOf(interactions: readonly Interaction[], contacts: ReadonlySet<string>): Map<string, Interaction[]> {
  const out = new Map<string, Interaction[]>();
  for (const c of contacts) out.set(c, []);
  for (const i of interactions) out.get(i.contact)?.push(i);
  return out;
}

/**
 * The brief's *awaiting* (DESIGN section 9): each outbound message to the contact in the
 * 30 days before `asOf` with no inbound message from them and no meeting with them after
 * it, oldest first. The same messages the weekly `awaitingReply` flag counts (the health
 * stage keeps only their number and the first), listed one by one.
 */
export function awaitingOf(history: readonly Interaction[], asOf: number): number[] {
  const since = asOf - AWAITING_DAYS * DAY_MS;
  let open: number[] = [];
  for (const i of history) {
    if (i.at > asOf) break;
    if (i.kind === 'sent') {
      if (i.at > since) open.push(i.at);
    } else open = [];
  }
  return open;
}

/** The brief's block for one attendee; an attendee Sinew never saw has `known: false` and nulls. */
export function briefAttendee(input: AttendeeInput): BriefAttendee {
  const { health, history } = input;
  const last = history.length > 0 ? history[history.length - 1]! : undefined;
  const known = health !== undefined && last !== undefined;
  let lastMeeting: number | null = null;
  for (let k = history.length - 1; k >= 0; k--) {
    if (history[k]!.kind === 'meeting') {
      lastMeeting = history[k]!.at;
      break;
    }
  }
  return {
    address: input.address,
    name: input.name,
    domain: domainOf(input.address),
    known,
    health: known ? health.health : null,
    trend: known ? health.trend : null,
    initiative: known ? health.initiative : null,
    firstInteraction: known ? health.firstInteraction : null,
    lastInteraction: known ? iso(last.at) : null,
    lastDirection: known ? directionOf(last) : null,
    lastMeeting: known && lastMeeting !== null ? iso(lastMeeting) : null,
    cadenceDays: known ? health.cadenceDays : null,
    reciprocity: known ? health.reciprocity : null,
    replyHours: known ? { mine: health.replyHours.mine, theirs: health.replyHours.theirs } : { mine: null, theirs: null },
    owed: known ? input.owed.map((receivedAt) => ({ receivedAt })) : [],
    awaiting: known ? awaitingOf(history, input.asOf).map((at) => ({ sentAt: iso(at) })) : [],
    notes: newestFirst(input.notes),
    colleagues: input.colleagues.map((c) => ({ name: c.name, tier: c.tier, lastInteraction: c.lastInteraction })),
  };
}

/** Notes newest first (ties by id), whatever order they came in; each rebuilt key by key. */
export function newestFirst(notes: readonly BriefNote[]): BriefNote[] {
  return [...notes]
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((n) => ({ id: n.id, at: n.at, text: n.text }));
}

function directionOf(i: Interaction): LastDirection {
  return i.kind;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
