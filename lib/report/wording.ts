import { plural } from './phrasing.ts';

/**
 * The fixed sentences of the weekly email, in one place so the HTML and text parts say
 * exactly the same thing.
 */

/** What Sinew reads, for the footer: the promise the user signed up for. */
export const READS =
  'Sinew reads metadata only: senders, recipients, times and meeting attendees. It never reads subjects or message bodies.';

/**
 * The footer's time-zone line: every date in the email is written in this zone, so a
 * wrong zone shows as wrong days. Only the zone is said; the send hour is not the
 * report's to know.
 */
export function datesIn(timeZone: string): string {
  return timeZone === 'UTC' ? 'Dates are in UTC' : `Dates are in ${timeZone} time`;
}

/** The label of the link that changes the time zone. */
export const CHANGE_TIME_ZONE = 'Change time zone';

/** An actionless week, said as good news rather than as an empty list. */
export const NOTHING_TO_DO =
  'Nothing needs you this week. No one is waiting on a reply and no strong relationship is going quiet.';

/** What an empty picture means, so a quiet mailbox does not read as a broken report. */
export function noActivity(windowDays: number): string {
  return `No conversations with people in the last ${windowDays} days. Newsletters, automated and internal mail are left out; relationships show up here as you write and meet.`;
}

/** A first report introduces itself in one sentence. */
export const FIRST_REPORT =
  'Your first weekly report. Each week Sinew says who is waiting on you and which relationships are going quiet.';

/** The first report has nothing to compare with; say when it will. */
export const FIRST_WEEK = 'your first report: next week shows what changed';

/** Where the actions below the cut went: they are real, just not this week's first five. */
export function moreFlagged(n: number): string {
  return `${plural(n, 'more thing')} ${n === 1 ? 'was' : 'were'} flagged; these five come first.`;
}

/** What the reconnect notice says about the stale data. */
export function cannotRead(addresses: string): string {
  return `Sinew can no longer read ${addresses}, so this report may be out of date.`;
}

/** "+3", "−2", "±0": a week-over-week change. `minus` differs between HTML and text. */
export function signed(n: number, minus = '−'): string {
  return n > 0 ? `+${n}` : n < 0 ? `${minus}${-n}` : '±0';
}

/**
 * Why there are no face-time actions when the person has no calendar source (DESIGN
 * section 4): "no meeting on record" would be a guess, so the email says what is missing.
 */
export const NO_CALENDAR =
  'No calendar connected: Sinew cannot tell "no meetings" from "no calendar", so it suggests no meetings yet.';

/** How to add a calendar from the command line (files, or a locally connected mailbox). */
export const ADD_CALENDAR_CLI = 'To add one, import it: sinew import --ics FILE (Google Takeout: the Calendar .ics).';

/** A mailbox whose syncs keep failing (not a revoked grant), told to its owner after a day. */
export function staleMailbox(address: string, since: string): string {
  return `Sinew has not been able to sync ${address} since ${since}: its syncs keep failing, so this report may miss recent mail. Sinew keeps retrying.`;
}

/** Where the footer's mailbox lines start. */
export const MAILBOXES = 'Mailboxes behind this report:';

/**
 * What introduces the newest note beside an action (DESIGN section 9): the person's own
 * words about the contact, so "Your note"; in an account action, whose note it is.
 */
export function yourNote(on?: string): string {
  return on === undefined ? 'Your note:' : `Your note on ${on}:`;
}

/** The link to a contact's notes page: to add the first note, or to see and change the ones there are. */
export function notesLinkLabel(hasNote: boolean): string {
  return hasNote ? 'Notes' : 'Add a note';
}

/** The per-contact link that keeps a contact out of the team view (DESIGN section 10). */
export const KEEP_PRIVATE = 'Keep private';
