import type { BriefAccount, BriefAttendee, LastDirection } from './schema.ts';
import { capitalize, listNames, numberWord, organizationLabel, organizationOf, plural, type DateWords } from '#lib/report/phrasing.ts';

/**
 * How the brief says its numbers in words (DESIGN section 9): "Ann Lee (Acme) usually
 * hears from you every 6 days; last contact 12 Nov, a mail from Ann. You owe Ann a reply
 * since Friday." One place, so the HTML and text parts say the same sentences. Names come
 * in already chosen: `label` names the person in full with their organization or address,
 * `first` is what a sentence calls them after that.
 */

/** What Sinew reads, said where a brief might make someone wonder. */
export const BRIEF_READS =
  'Sinew reads metadata only: senders, recipients, times and meeting attendees. It never reads subjects, message bodies or meeting titles, so meetings are named by their time and attendees.';

/** The footer's zone line: every time in the brief is in this zone. */
export function timesIn(timeZone: string): string {
  return timeZone === 'UTC' ? 'Times and dates are in UTC' : `Times and dates are in ${timeZone} time`;
}

/** Where the footer's mailbox lines start. */
export const BRIEF_MAILBOXES = 'Mailboxes behind this brief:';

/** A brief of a day without briefed meetings (never sent; shown when asked for on the command line). */
export const NO_MEETINGS = 'No meetings with people outside your organization on this day.';

/** A mailbox Sinew can no longer read: the brief may miss what happened since. */
export function cannotReadBrief(address: string): string {
  return `Sinew can no longer read ${address}, so this brief may be out of date.`;
}

/** A mailbox whose syncs keep failing (lib/sync/freshness.ts says when that is stale). */
export function staleBrief(address: string, since: string): string {
  return `Sinew has not been able to sync ${address} since ${since}, so this brief may miss recent mail and meetings.`;
}

/** "about 5 hours", "under an hour", "about 2 days". */
function hoursWords(hours: number): string {
  if (hours < 1) return 'under an hour';
  if (hours < 36) return `about ${plural(Math.round(hours), 'hour')}`;
  return `about ${plural(Math.round(hours / 24), 'day')}`;
}

/** "every day", "every 6 days". */
function everyWords(cadenceDays: number): string {
  const days = Math.max(1, Math.round(cadenceDays));
  return days === 1 ? 'every day' : `every ${days} days`;
}

/** How the last interaction happened: "a mail from Ann", "your mail to Ann", "a meeting". */
function directionWords(direction: LastDirection | null, first: string): string | null {
  switch (direction) {
    case 'received':
      return `a mail from ${first}`;
    case 'sent':
      return `your mail to ${first}`;
    case 'meeting':
      return 'a meeting';
    default:
      return null;
  }
}

/**
 * The sentences about one attendee, in reading order: who and how often, open loops
 * (their messages you owe a reply to, yours they have not answered), health, history,
 * replies. An attendee Sinew has never seen gets "first meeting" and what it knows of
 * their organization (`account`: the meeting's account line for their domain).
 */
export function attendeeSentences(
  a: BriefAttendee,
  names: { label: string; first: string },
  dates: DateWords,
  account: BriefAccount | undefined,
): string[] {
  const { label, first } = names;
  if (!a.known) return [`${label}: first meeting. Sinew has not seen ${first} in your mail or calendar.`, ...organizationKnown(a, account)];
  const out: string[] = [];
  const direction = directionWords(a.lastDirection, first);
  const last = a.lastInteraction ? `last contact ${relative(dates, a.lastInteraction)}${direction ? `, ${direction}` : ''}` : null;
  if (a.cadenceDays !== null) out.push(`${label} usually hears from you ${everyWords(a.cadenceDays)}${last ? `; ${last}` : ''}.`);
  else out.push(last ? `${label}: ${last}.` : `${label}.`);
  out.push(...openLoops(a, first, dates));
  const standing = [
    a.health !== null ? `Health ${a.health} of 100${a.trend ? `, ${a.trend}` : ''}` : null,
    initiativeWords(a.initiative, first),
  ].filter((s): s is string => s !== null);
  if (standing.length > 0) out.push(`${capitalize(standing.join('; '))}.`);
  const history = [
    a.firstInteraction ? `Known since ${dates.date(a.firstInteraction)}` : null,
    a.lastMeeting ? `last met ${relative(dates, a.lastMeeting)}` : 'no meeting on record',
  ].filter((s): s is string => s !== null);
  out.push(`${capitalize(history.join('; '))}.`);
  const replies = replyWords(a.replyHours, first);
  const balance = reciprocityWords(a.reciprocity);
  if (replies || balance) out.push([replies, balance].filter((s) => s !== null).join(' '));
  return out;
}

/** "You owe Ann a reply since Friday." and "Ann has not answered your mail of 17 Nov." (oldest first). */
function openLoops(a: Pick<BriefAttendee, 'owed' | 'awaiting'>, first: string, dates: DateWords): string[] {
  const out: string[] = [];
  const owed = a.owed.map((o) => relative(dates, o.receivedAt));
  if (owed.length === 1) out.push(`You owe ${first} a reply since ${owed[0]}.`);
  else if (owed.length > 1) out.push(`You owe ${first} replies to ${numberWord(owed.length)} messages, since ${listNames(owed, Infinity)}.`);
  const awaiting = a.awaiting.map((w) => dates.date(w.sentAt));
  if (awaiting.length === 1) out.push(`${first} has not answered your mail of ${awaiting[0]}.`);
  else if (awaiting.length > 1) out.push(`${first} has not answered ${numberWord(awaiting.length)} of your messages (${listNames(awaiting, Infinity)}).`);
  return out;
}

/** Who keeps the relationship going, or null when unknown. */
function initiativeWords(initiative: BriefAttendee['initiative'], first: string): string | null {
  switch (initiative) {
    case 'mutual':
      return 'you both keep in touch';
    case 'you-chase':
      return 'you do most of the reaching out';
    case 'they-chase':
      return `${first} does most of the reaching out`;
    default:
      return null;
  }
}

/** "Ann usually replies in about 20 hours, you in about 6 hours." */
function replyWords(hours: BriefAttendee['replyHours'], first: string): string | null {
  if (hours.theirs !== null && hours.mine !== null) return `${first} usually replies in ${hoursWords(hours.theirs)}, you in ${hoursWords(hours.mine)}.`;
  if (hours.theirs !== null) return `${first} usually replies in ${hoursWords(hours.theirs)}.`;
  if (hours.mine !== null) return `You usually reply in ${hoursWords(hours.mine)}.`;
  return null;
}

/** Reciprocity (DESIGN section 4: 1 balanced, 0 one-sided) in words. */
function reciprocityWords(reciprocity: number | null): string | null {
  if (reciprocity === null) return null;
  if (reciprocity >= 0.7) return 'Mail is balanced both ways.';
  if (reciprocity >= 0.3) return 'Mail leans one way.';
  return 'Mail goes mostly one way.';
}

/** What Sinew knows of a first-met person's organization (nothing to say for public webmail). */
function organizationKnown(a: BriefAttendee, account: BriefAccount | undefined): string[] {
  const org = organizationOf(a.address);
  if (org === null) return [];
  const name = organizationLabel(org);
  if (!account || account.activeContacts === 0) return [`Nobody at ${name} is in your mail or calendar either.`];
  const health = account.health !== null ? ` (account health ${account.health})` : '';
  return [`You know ${numberWord(account.activeContacts)} ${account.activeContacts === 1 ? 'person' : 'people'} at ${name}${health}.`];
}

/**
 * The account line of one organization in a meeting, or null for a public webmail
 * domain (not an organization). A line read from the weekly report (computed before the
 * brief's day) says from when: "(as of your report of 23 Nov)".
 */
export function accountLine(account: BriefAccount, dates: DateWords): string | null {
  if (organizationOf(`x@${account.domain}`) === null) return null;
  const name = `${organizationLabel(account.domain)} (${account.domain})`;
  const from = dates.daysAgo(account.asOf) > 0 ? ` (as of your report of ${dates.date(account.asOf)})` : '';
  if (account.health === null && account.activeContacts === 0) return `${name}: new to you, no active contacts there yet${from}.`;
  const health = account.health !== null ? `account health ${account.health}, ` : '';
  const contacts = `${numberWord(account.activeContacts)} active ${account.activeContacts === 1 ? 'contact' : 'contacts'}`;
  const single = account.singleThreaded ? '; single-threaded, one departure away from losing the account' : '';
  return `${name}: ${health}${contacts}${single}${from}.`;
}

/** "today", "yesterday", "Friday" (the last six days), else "12 Nov". */
export function relative(dates: DateWords, when: string): string {
  const ago = dates.daysAgo(when);
  if (ago === 0) return 'today';
  if (ago === 1) return 'yesterday';
  if (ago > 1 && ago < 7) return dates.when(when).replace(/^on /, '');
  return dates.date(when);
}

/** The labels of the brief's links, the same in both parts (the notes link's: lib/report/wording.ts notesLinkLabel). */
export const LINK_LABELS = {
  fine: 'This person is fine',
  mute: 'Mute',
  briefsOff: 'Turn off meeting briefs',
  pause: 'Pause all Sinew email',
  unsubscribe: 'Unsubscribe',
} as const;

/** Above an attendee's notes. */
export const YOUR_NOTES = 'Your notes';

/** Before the colleagues who know an attendee (team view on). */
export function colleaguesWho(first: string): string {
  return `Colleagues who know ${first}`;
}
