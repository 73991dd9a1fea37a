import type { ContactHealth, FadingFlag } from '#lib/health/types.ts';
import type { ReportJson } from './types.ts';
import { nameInAccount, personLabels } from './person-name.ts';
import {
  DateWords,
  capitalize,
  displayName,
  fullName,
  listNames,
  numberWord,
  organizationLabel,
  organizationOf,
  plural,
} from './phrasing.ts';
import { withWarmPaths } from './warm-paths.ts';

/**
 * "What to do this week" (DESIGN section 5): the flags of the JSON export turned into at
 * most five actions a person can take, each with the evidence behind it.
 *
 * Ranking, across kinds, highest first:
 * 1. owed replies: someone is waiting on you; the longest-waiting first;
 * 2. fading: in the health stage's order (prior strength), because losing a strong
 *    relationship costs most;
 * 3. awaiting reply: you are waiting on them; most unanswered messages first;
 * 4. no face-time: in the health stage's order (email intensity).
 * Several contacts of one organization with the same kind of action become one action
 * about the account, ranked where its highest member would be. A contact appears in one
 * action only, the highest-ranked (a fading contact also lacking face-time is told once).
 */

export type ActionKind = 'owed-reply' | 'fading' | 'awaiting-reply' | 'no-face-time';

/** At most this many actions lead the email; the JSON export keeps every flag. */
export const MAX_ACTIONS = 5;

/** Meetings are judged over the last 90 days (DESIGN section 4, noFaceTime). */
const NO_FACE_TIME_DAYS = 90;
/** Evidence lines listed per grouped action before "and N more". */
const MAX_EVIDENCE_CONTACTS = 5;

export interface ActionContact {
  address: string;
  /** What the email's sentences call them: a first name, or the address. */
  displayName: string;
  /**
   * Who they are, in full and told apart from everyone else in the email (person-name.ts):
   * "John Smith (Acme)", "John Smith (john@gmail.com)", "john@gmail.com"; in an account
   * action, whose title names the organization, told apart within it: "John Smith".
   */
  label: string;
  /** The first line of the person's newest note on them, when the email shows one (model.ts). */
  note?: string;
}

export interface Action {
  kind: ActionKind;
  /** The organization domain when the action groups several of its contacts; else null. */
  account: string | null;
  /** Everyone the action is about, highest-ranked first. */
  contacts: ActionContact[];
  /** What to do, imperative, naming them in full: "Reply to Raj Patel (Beta)", "Reply to Ann Lee and Raj Patel at Acme". */
  title: string;
  /** What is happening, for a subject line: "Raj Patel (Beta) is waiting on your reply". */
  headline: string;
  /** The situation in one sentence with the specifics: "Raj wrote on Tuesday; you have not replied." */
  summary: string;
  /** The facts behind it: dates, cadence, counts. */
  evidence: string[];
  /** One line on what to do about it, kindly put. */
  suggestion: string;
}

export interface ActionPlan {
  /** At most `limit` actions, ranked. */
  actions: Action[];
  /** Actions ranked below the cut, still in the JSON export. */
  omitted: number;
}

export interface PlanOptions {
  /** IANA zone dates are written in; default UTC. */
  timeZone?: string;
  /** Default {@link MAX_ACTIONS}. */
  limit?: number;
}

interface Unit {
  address: string;
  contact: ContactHealth | undefined;
  /** Their full label (person-name.ts). */
  label: string;
}

/**
 * Turns a report's flags into this week's ranked, grouped actions (see the ranking
 * above). Dates are written in `timeZone`; the result depends only on its inputs.
 */
export function planActions(json: ReportJson, options: PlanOptions = {}): ActionPlan {
  const dates = new DateWords(new Date(json.asOf), options.timeZone ?? 'UTC');
  const limit = options.limit ?? MAX_ACTIONS;
  const contacts = new Map(json.contacts.map((c) => [c.address, c]));
  const lastMeeting = new Map(json.noFaceTime.map((f) => [f.address, f.lastMeeting]));
  const claimed = new Set<string>();
  // Everyone a flag names, told apart once for the whole email.
  const flagged = [json.owedReplies, json.fading, json.awaitingReply, json.noFaceTime].flat();
  const labels = personLabels(flagged.map((f) => ({ address: f.address, name: contacts.get(f.address)?.name })));
  const ctx: Ctx = { dates, contacts, lastMeeting, labels, windowDays: json.settings.windowDays };

  // Grouping is cheap and decides the count; wording (date formatting) is not, so only
  // the actions that make the cut are described.
  const all: (() => Action)[] = [];
  const take = <T extends { address: string }>(rows: T[]): T[] => {
    const fresh = rows.filter((r) => !claimed.has(r.address));
    for (const r of fresh) claimed.add(r.address);
    return fresh;
  };

  // Owed replies: one row per message; one action per contact, longest-waiting first.
  const owedByContact = new Map<string, OwedContact>();
  for (const f of [...json.owedReplies].sort((a, b) => cmp(a.receivedAt, b.receivedAt))) {
    const row = owedByContact.get(f.address) ?? { address: f.address, receivedAt: [], waitingDays: 0 };
    row.receivedAt.push(f.receivedAt);
    row.waitingDays = Math.max(row.waitingDays, f.waitingDays);
    owedByContact.set(f.address, row);
  }
  all.push(...group(take([...owedByContact.values()]), ctx, owedAction));
  all.push(...group(take(json.fading), ctx, fadingAction));
  const awaiting = [...json.awaitingReply].sort(
    (a, b) => b.unansweredCount - a.unansweredCount || cmp(a.firstSentAt, b.firstSentAt) || cmp(a.address, b.address),
  );
  all.push(...group(take(awaiting), ctx, awaitingAction));
  all.push(...group(take(json.noFaceTime), ctx, noFaceTimeAction));

  return { actions: all.slice(0, limit).map((describe) => withWarmPaths(describe(), json)), omitted: Math.max(0, all.length - limit) };
}

interface Ctx {
  dates: DateWords;
  contacts: Map<string, ContactHealth>;
  lastMeeting: Map<string, string | null>;
  /** Every flagged address's label (person-name.ts). */
  labels: Map<string, string>;
  windowDays: number;
}

interface OwedContact {
  address: string;
  receivedAt: string[];
  waitingDays: number;
}

type Describe<T> = (rows: (T & Unit)[], account: string | null, ctx: Ctx) => Action;

/**
 * Groups rows of one kind by organization, keeping rank order: a group of two or more
 * becomes one account action at its first member's place; public webmail stays per person.
 */
function group<T extends { address: string }>(rows: T[], ctx: Ctx, describe: Describe<T>): (() => Action)[] {
  const byOrg = new Map<string, (T & Unit)[]>();
  const units = rows.map((r) => ({ ...r, contact: ctx.contacts.get(r.address), label: ctx.labels.get(r.address) ?? r.address }));
  for (const u of units) {
    const org = organizationOf(u.address);
    if (org === null) continue;
    const members = byOrg.get(org);
    if (members) members.push(u);
    else byOrg.set(org, [u]);
  }
  const out: (() => Action)[] = [];
  const done = new Set<string>();
  for (const u of units) {
    const org = organizationOf(u.address);
    const members = org === null ? undefined : byOrg.get(org);
    if (org !== null && members && members.length > 1) {
      if (done.has(org)) continue;
      done.add(org);
      out.push(() => describe(members, org, ctx));
    } else {
      out.push(() => describe([u], null, ctx));
    }
  }
  return out;
}

function who(u: Unit): ActionContact {
  return { address: u.address, displayName: displayName(u.address, u.contact?.name), label: u.label };
}

/** An evidence line's name in an account action: the full name and address. */
function rosterName(u: Unit): string {
  const full = fullName(u.address, u.contact?.name);
  return full === u.address ? u.address : `${full} <${u.address}>`;
}

/** Evidence lines for a group: one per contact, capped, with "and N more". */
function perContact<T extends Unit>(rows: T[], line: (r: T) => string): string[] {
  const lines = rows.slice(0, MAX_EVIDENCE_CONTACTS).map((r) => `${rosterName(r)}: ${line(r)}`);
  if (rows.length > MAX_EVIDENCE_CONTACTS) lines.push(`and ${rows.length - MAX_EVIDENCE_CONTACTS} more`);
  return lines;
}

/**
 * The people of an account action, in full ("Ann Lee and Raj Patel"), the organization
 * said once after them; two with the same name are told apart by their addresses.
 */
function fullNames(rows: Unit[]): string {
  return listNames(accountMembers(rows).map((c) => c.label));
}

/**
 * The people of an account action, each labelled within it (the title names the
 * organization once): the full name, or the address where the name is missing, one
 * word, or shared with another of them.
 */
function accountMembers(rows: Unit[]): ActionContact[] {
  const full = rows.map((r) => nameInAccount({ address: r.address, name: r.contact?.name }));
  return rows.map((r, i) => ({ ...who(r), label: full.indexOf(full[i]!) !== full.lastIndexOf(full[i]!) ? r.address : full[i]! }));
}

/** The same people as the sentences under the title call them: "Ann and Raj". */
function names(rows: Unit[]): string {
  return listNames(callNames(rows));
}

/** Each person of an account action as its sentences call them: the first name, or their label there when two share it. */
function callNames(rows: Unit[]): string[] {
  const members = accountMembers(rows);
  const first = members.map((m) => m.displayName);
  return members.map((m, i) => (first.indexOf(first[i]!) !== first.lastIndexOf(first[i]!) ? m.label : m.displayName));
}

function days(n: number): string {
  const d = Math.max(1, Math.round(n));
  return d === 1 ? 'day' : `${d} days`;
}

function hours(h: number): string {
  if (h < 1) return 'under an hour';
  if (h < 48) return plural(Math.round(h), 'hour');
  return plural(Math.round(h / 24), 'day');
}

const owedAction: Describe<OwedContact> = (rows, account, { dates }) => {
  const first = rows[0]!;
  if (account === null) {
    const { displayName: name, label } = who(first);
    const n = first.receivedAt.length;
    const wrote = n === 1 ? `wrote ${dates.when(first.receivedAt[0]!)}` : `wrote ${n === 2 ? 'twice' : `${numberWord(n)} times`} since ${dates.date(first.receivedAt[0]!)}`;
    const evidence = [`Received: ${first.receivedAt.map((t) => dates.date(t)).join(', ')}`, `Waiting: ${plural(first.waitingDays, 'day')}`];
    const mine = first.contact?.replyHours.mine;
    if (mine != null) evidence.push(`You usually reply within ${hours(mine)}`);
    // Only say "longer than usual" when the usual is known and clearly beaten.
    const slow = mine != null && first.waitingDays * 24 > 2 * Math.max(mine, 24);
    const suggestion =
      first.waitingDays >= 7
        ? 'Over a week now: a two-line reply today closes the loop, even if the full answer comes later.'
        : slow
          ? `That is longer than you usually take with ${name}; a short reply today keeps the rhythm.`
          : 'A short reply today, even just to say when you can answer properly, is enough.';
    return {
      kind: 'owed-reply', account, contacts: [who(first)], evidence,
      title: `Reply to ${label}`,
      headline: `${label} is waiting on your reply`,
      summary: `${name} ${wrote}; you have not replied.`,
      suggestion,
    };
  }
  const org = organizationLabel(account);
  const pronoun = rows.length === 2 ? 'neither has' : 'none has';
  const longest = rows.reduce((a, b) => (b.waitingDays > a.waitingDays ? b : a));
  return {
    kind: 'owed-reply', account, contacts: accountMembers(rows),
    title: `Reply to ${fullNames(rows)} at ${org}`,
    headline: `${capitalize(numberWord(rows.length))} people at ${org} are waiting on your reply`,
    summary: `${names(rows)} at ${org} wrote to you; ${pronoun} had a reply yet.`,
    evidence: perContact(rows, (r) => `wrote ${dates.when(r.receivedAt[0]!)}, waiting ${plural(r.waitingDays, 'day')}`),
    suggestion: `Start with ${callNames(rows)[rows.indexOf(longest)]}, who has waited longest (${plural(longest.waitingDays, 'day')}).`,
  };
};

const fadingAction: Describe<FadingFlag> = (
  rows,
  account,
  { dates, lastMeeting, windowDays },
) => {
  const first = rows[0]!;
  // The flag carries the last meeting; a report stored before it did (the field reads as
  // null) may still have it on the contact's face-time flag.
  const metOf = (r: (typeof rows)[number]): string | null => r.lastMeeting ?? lastMeeting.get(r.address) ?? null;
  if (account === null) {
    const { displayName: name, label } = who(first);
    const met = metOf(first);
    const metText = met ? ` Last meeting: ${dates.date(met)}.` : '';
    const summary =
      first.cadenceDays !== null
        ? `${name} usually hears from you every ${days(first.cadenceDays)}; it has been ${first.silenceDays}.${metText}`
        : `You have not been in touch with ${name} since ${dates.date(first.lastInteraction)}, ${plural(first.silenceDays, 'day')} ago.${metText}`;
    const evidence = [`Last contact: ${dates.date(first.lastInteraction)} (${plural(first.silenceDays, 'day')} ago)`];
    if (first.cadenceDays !== null) evidence.push(`Usual cadence: every ${days(first.cadenceDays)}`);
    if (met) evidence.push(`Last meeting: ${dates.date(met)}`);
    // No meeting in the held history (or a stored report that predates the field): the
    // window's count is true either way, where "no meeting on record" might not be.
    else if (first.contact) evidence.push(`Meetings in the last ${windowDays} days: ${first.contact.meetings === 0 ? 'none' : first.contact.meetings}`);
    return {
      kind: 'fading', account, contacts: [who(first)], evidence, summary,
      title: `Reconnect with ${label}`,
      headline: `${label} has gone quiet for ${plural(first.silenceDays, 'day')}`,
      suggestion:
        first.cadenceDays !== null
          ? `A quick note to ${name} now is easier than a cold restart later.`
          : `A short check-in with no agenda keeps the door open.`,
    };
  }
  const org = organizationLabel(account);
  const longest = Math.max(...rows.map((r) => r.silenceDays));
  return {
    kind: 'fading', account, contacts: accountMembers(rows),
    title: `Reconnect with ${fullNames(rows)} at ${org}`,
    headline: `${org} is going quiet`,
    summary: `${names(rows)} at ${org} have gone quiet; the longest silence is ${plural(longest, 'day')}.`,
    evidence: perContact(rows, (r) => {
      const met = metOf(r);
      return (
        `last contact ${dates.date(r.lastInteraction)} (${plural(r.silenceDays, 'day')} ago)` +
        (r.cadenceDays !== null ? `, usually every ${days(r.cadenceDays)}` : '') +
        (met ? `, last met ${dates.date(met)}` : '')
      );
    }),
    suggestion: `Pick one person at ${org} to check in with this week; a short note is enough.`,
  };
};

const awaitingAction: Describe<{ firstSentAt: string; unansweredCount: number }> = (rows, account, { dates }) => {
  const first = rows[0]!;
  const total = rows.reduce((s, r) => s + r.unansweredCount, 0);
  const since = rows.map((r) => r.firstSentAt).sort()[0]!;
  const messages = `${capitalize(numberWord(total))} ${total === 1 ? 'message' : 'messages'}`;
  if (account === null) {
    const { displayName: name, label } = who(first);
    const evidence = [`First sent: ${dates.date(first.firstSentAt)}`, `Unanswered: ${first.unansweredCount}`];
    const theirs = first.contact?.replyHours.theirs;
    if (theirs != null) evidence.push(`${name} usually replies within ${hours(theirs)}`);
    return {
      kind: 'awaiting-reply', account, contacts: [who(first)], evidence,
      title: `Follow up with ${label}`,
      headline: `${label} has not answered ${numberWord(total)} ${total === 1 ? 'message' : 'messages'}`,
      summary: `${messages} to ${name} since ${dates.date(since)} without an answer.`,
      suggestion: `A friendly nudge or a quick call may help; if it no longer matters, let it go.`,
    };
  }
  const org = organizationLabel(account);
  return {
    kind: 'awaiting-reply', account, contacts: accountMembers(rows),
    title: `Follow up with ${fullNames(rows)} at ${org}`,
    headline: `${org} has not answered ${numberWord(total)} messages`,
    summary: `${messages} to ${names(rows)} at ${org} since ${dates.date(since)} without an answer.`,
    evidence: perContact(rows, (r) => `${r.unansweredCount} unanswered since ${dates.date(r.firstSentAt)}`),
    suggestion: `Try a call, or someone else at ${org} who knows the thread.`,
  };
};

const noFaceTimeAction: Describe<{ lastMeeting: string | null }> = (rows, account, { dates, windowDays }) => {
  const first = rows[0]!;
  const emails = (u: Unit): string => plural((u.contact?.sent ?? 0) + (u.contact?.received ?? 0), 'email');
  if (account === null) {
    const { displayName: name, label } = who(first);
    // "No meeting on record", not "never met": Sinew sees only the calendars it reads.
    const summary = first.lastMeeting
      ? `No meeting with ${name} in ${NO_FACE_TIME_DAYS} days; the last was on ${dates.date(first.lastMeeting)}.`
      : `You and ${name} exchanged ${emails(first)} in ${windowDays} days, with no meeting on record.`;
    const evidence = [`Email: ${emails(first)} in ${windowDays} days`];
    evidence.push(first.lastMeeting ? `Last meeting: ${dates.date(first.lastMeeting)}` : 'No meeting on record');
    return {
      kind: 'no-face-time', account, contacts: [who(first)], evidence, summary,
      title: `Meet ${label}`,
      headline: `No meeting with ${label} in ${NO_FACE_TIME_DAYS} days`,
      suggestion: first.lastMeeting
        ? `Suggest a 20-minute call or a coffee; face-time keeps what email started.`
        : `A first call or coffee could turn the emails into a relationship.`,
    };
  }
  const org = organizationLabel(account);
  return {
    kind: 'no-face-time', account, contacts: accountMembers(rows),
    title: `Meet ${fullNames(rows)} at ${org}`,
    headline: `No meeting with ${org} in ${NO_FACE_TIME_DAYS} days`,
    summary: `No meeting with ${org} in ${NO_FACE_TIME_DAYS} days, though you write with ${names(rows)}.`,
    evidence: perContact(rows, (r) =>
      `${emails(r)} in ${windowDays} days, ${r.lastMeeting ? `last met ${dates.date(r.lastMeeting)}` : 'no meeting on record'}`,
    ),
    suggestion: `Propose a short call with ${names(rows)}; even 20 minutes together counts.`,
  };
};

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
