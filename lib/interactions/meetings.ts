import type { MeetingItem } from '#lib/items/types.ts';

/**
 * Who a meeting was with (DESIGN section 3, "Meeting"): a calendar event, not cancelled,
 * where the user is organizer or an attendee who did not decline, with at most
 * `maxAttendees` attendees; one interaction with every other non-declined attendee and
 * the organizer. Whether it has started before `asOf` is the caller's concern (past
 * meetings are interactions, future ones upcoming meetings, by the same rules).
 */

/** Why a meeting yields no interaction, or null when it does (see {@link meetingContacts}). */
export type MeetingOutcome =
  | { counts: true; contacts: string[] }
  | { counts: false; reason: 'cancelled' | 'not-attending' | 'too-many-attendees' };

/**
 * The size of a meeting: distinct addresses among the attendees and the organizer,
 * declined ones included. The limit is about what kind of event it was (an all-hands
 * invitation stays one even when most decline), and providers differ in whether the
 * organizer is listed among the attendees, so the union counts the organizer once.
 */
export function attendeeCount(item: MeetingItem): number {
  // The store cut the attendees of a very large meeting and kept the exact count.
  if (item.attendeeCount !== undefined) return item.attendeeCount;
  const all = new Set<string>();
  for (const a of item.attendees) all.add(a.address);
  if (item.organizer) all.add(item.organizer);
  return all.size;
}

/**
 * Decides whether a meeting counts and with whom.
 *
 * Me attends when Me organizes it (unless Me is also listed as an attendee who declined,
 * as a calendar shows an organizer who will not go) or is an attendee who did not
 * decline. Contacts are every non-declined attendee and the organizer, minus Me; an
 * organizer who declined their own meeting is not met.
 *
 * @param item the meeting occurrence
 * @param me the user's addresses, normalized
 * @param maxAttendees the largest meeting that still counts
 */
export function meetingContacts(item: MeetingItem, me: ReadonlySet<string>, maxAttendees: number): MeetingOutcome {
  if (item.status === 'cancelled') return { counts: false, reason: 'cancelled' };
  const declined = new Set<string>();
  let meAttends = false;
  for (const a of item.attendees) {
    if (a.response === 'declined') declined.add(a.address);
    else if (me.has(a.address)) meAttends = true;
  }
  const organizer = item.organizer;
  if (organizer && me.has(organizer) && !declined.has(organizer)) meAttends = true;
  if (!meAttends) return { counts: false, reason: 'not-attending' };
  if (attendeeCount(item) > maxAttendees) return { counts: false, reason: 'too-many-attendees' };

  const contacts = new Set<string>();
  for (const a of item.attendees) {
    if (a.response !== 'declined' && !me.has(a.address)) contacts.add(a.address);
  }
  if (organizer && !me.has(organizer) && !declined.has(organizer)) contacts.add(organizer);
  return { counts: true, contacts: [...contacts].sort() };
}

/** Duration in whole minutes (rounded), never negative. */
export function meetingMinutes(startMs: number, endMs: number): number {
  return Number.isFinite(endMs) && endMs > startMs ? Math.round((endMs - startMs) / 60_000) : 0;
}
