import { InputError } from '#lib/errors.ts';
import { computeHealth } from '#lib/health/index.ts';
import type { ContactHealth } from '#lib/health/types.ts';
import { extractInteractions } from '#lib/interactions/extract.ts';
import type { Interaction } from '#lib/interactions/types.ts';
import { InternalDomains, organizationDomains } from '#lib/interactions/internal.ts';
import { resolveMe, isSentCopy } from '#lib/interactions/me.ts';
import type { Item, MailItem, MeetingItem } from '#lib/items/types.ts';
import { personDefinitions } from '#lib/report/build.ts';
import { HISTORY_DAYS, type Settings } from '#lib/settings.ts';
import type { Account, User } from '#lib/store/types.ts';
import { organizationOf, accountLines } from './accounts.ts';
import { briefAttendee, historiesOf } from './attendees.ts';
import { briefAsOf, briefDay, type BriefDay } from './day.ts';
import { briefedMeetings, type BriefedMeeting } from './meetings.ts';
import { heldTest, relevantItems } from './relevant.ts';
import { isFreshFor, sameRules, type StoredAccountLines } from './report-accounts.ts';
import type { BriefAccount, BriefAttendee, BriefColleague, BriefJson, BriefMeeting, BriefNote } from './schema.ts';

/** Looks up the colleagues who know an attendee (DESIGN section 10); none when team is off. */
export type ColleagueLookup = (address: string, domain: string) => BriefColleague[];

/** The person a brief is for, as the store holds them. */
type BriefUser = Pick<User, 'email' | 'timeZone' | 'me' | 'internalDomains'>;
/** The person's mailboxes: their addresses, aliases and last sync. */
type BriefAccountInput = Pick<Account, 'address' | 'aliases' | 'lastSyncAt'>;

/** Everything {@link computeBrief} needs, already loaded. */
export interface BriefInput {
  /** Every stored item of the person (one Query of their partition). */
  items: Iterable<Item>;
  user: BriefUser;
  accounts: readonly BriefAccountInput[];
  /** The local day, `YYYY-MM-DD` in the person's zone. */
  date: string;
  /** The instant the figures are as of; default 07:00 local on `date`. */
  asOf?: Date;
  settings: Settings;
  /** The person's notes by normalized contact address (any order; shown newest first). */
  notes?: ReadonlyMap<string, readonly BriefNote[]>;
  colleagues?: ColleagueLookup;
  /**
   * The person's latest weekly report's account lines (see `latestAccountLines`): used for
   * the organizations' lines when fresh enough and computed with the same rules; otherwise
   * the lines are computed here, as of `asOf`.
   */
  accountLines?: StoredAccountLines;
}

const DAY_MS = 86_400_000;

/**
 * The brief of one person for one local day (DESIGN section 9), from items already
 * loaded: the day's briefed meetings in time order (see `briefedMeetings`), for each its
 * external attendees (by organization, then address) with every figure of section 9,
 * and one account line per organization among them. Pure and deterministic: the same
 * items, day and `asOf` give the same brief.
 *
 * The figures are the weekly report's own: the same extraction and health stage over the
 * items that name the attendees or their organizations (see `relevantItems`), as of
 * `asOf`; *owed* drops the report's 48-hour floor (`owedFloorHours: 0`). The person's
 * answers to flags (mute, fine, snooze) shape the weekly report's lists, not the facts
 * shown before a meeting, so they are not applied here.
 *
 * @throws InputError for a date that is not a day, an unknown zone, an invalid `asOf`, or
 *   an own address that is not an address.
 */
export function computeBrief(input: BriefInput): BriefJson {
  const { day, asOf, person, me, internalDomains, meetings, held } = dayOf(input);
  const header = {
    user: input.user.email,
    date: day.date,
    timeZone: day.timeZone,
    lastSynced: [...input.accounts]
      .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0))
      .map((a) => ({ account: a.address, at: a.lastSyncAt === undefined ? null : new Date(a.lastSyncAt).toISOString() })),
  };
  if (meetings.length === 0) return { ...header, meetings: [] };
  const stored = input.accountLines;
  const lines = stored && isFreshFor(stored, asOf) && sameRules(stored, person.settings, internalDomains) ? stored : undefined;
  // The mail outside the held history is left behind here, once: the filter reads the rest.
  return { ...header, meetings: describeMeetings(held, meetings, { ...person, me, asOf, day, input, lines }) };
}

/**
 * The briefed meetings of the day alone, without their figures: what a scheduler asks to
 * know whether a person gets a brief (a day without one gets no email). Same rules and
 * same Me as {@link computeBrief}.
 */
export function briefedMeetingsOf(input: Omit<BriefInput, 'notes' | 'colleagues'>): BriefedMeeting[] {
  return dayOf(input).meetings;
}

/** The day, the instant, the person's definitions and the day's briefed meetings. */
function dayOf(input: Omit<BriefInput, 'notes' | 'colleagues'>) {
  const day = briefDay(input.date, input.user.timeZone);
  const asOf = input.asOf ?? briefAsOf(input.date, input.user.timeZone);
  if (Number.isNaN(asOf.getTime())) throw new InputError('computeBrief: asOf is not a valid date');
  const person = personDefinitions(input.user, input.accounts, input.settings);
  const { sent, calendar, held } = sentAndMeetings(input.items, asOf.getTime());
  const me = resolveMe(sent, person.me, person.accountAddresses);
  const internalDomains = organizationDomains(person.accountAddresses, person.settings.internalDomains);
  const internal = new InternalDomains(internalDomains);
  const meetings = briefedMeetings(calendar, day, { me, internal, maxAttendees: person.settings.maxAttendees });
  return { day, asOf, person, me, internalDomains, meetings, held };
}

/** The figures of every briefed meeting's attendees and organizations. */
function describeMeetings(
  items: readonly Item[],
  meetings: readonly BriefedMeeting[],
  ctx: {
    settings: Settings;
    me: ReadonlySet<string>;
    accountAddresses: string[];
    asOf: Date;
    day: BriefDay;
    input: BriefInput;
    /** The report's account lines, when they stand in for computing them. */
    lines: StoredAccountLines | undefined;
  },
): BriefMeeting[] {
  const attendees = new Set(meetings.flatMap((m) => m.attendees));
  const organizations = new Set<string>();
  for (const a of attendees) {
    const org = organizationOf(a);
    if (org !== null) organizations.add(org);
  }
  // With the report's lines, only the attendees' own items are read (see report-accounts.ts).
  // `items` are already the held history's (sentAndMeetings): no time test again.
  const extraction = extractInteractions(relevantItems(items, attendees, ctx.lines ? new Set() : organizations), {
    asOf: ctx.asOf,
    settings: ctx.settings,
    me: [...ctx.me],
    accountAddresses: ctx.accountAddresses,
  });
  const health = computeHealth(extraction, {
    asOf: ctx.asOf,
    settings: ctx.settings,
    owedFloorHours: 0,
    include: attendees,
  });
  const rows = new Map<string, ContactHealth>(health.contacts.map((c) => [c.address, c]));
  const owed = new Map<string, string[]>();
  for (const o of health.owedReplies) {
    if (!attendees.has(o.address)) continue;
    const list = owed.get(o.address);
    if (list) list.push(o.receivedAt);
    else owed.set(o.address, [o.receivedAt]);
  }
  const histories = historiesOf(extraction.interactions, attendees);
  // Each organization's line once, whichever meetings it appears in.
  const lines = new Map(
    (ctx.lines
      ? storedLines([...organizations].sort(), ctx.lines)
      : computedLines([...organizations].sort(), extraction.interactions, health.contacts, ctx.asOf)
    ).map((a) => [a.domain, a]),
  );
  const lookup = ctx.input.colleagues ?? (() => []);
  const asOf = ctx.asOf.getTime();

  const blocks = new Map<string, BriefAttendee>();
  for (const address of attendees) {
    const inviteName = inviteNameOf(meetings, address);
    blocks.set(
      address,
      briefAttendee({
        address,
        name: extraction.names.get(address) ?? inviteName,
        health: rows.get(address),
        history: histories.get(address) ?? [],
        owed: owed.get(address) ?? [],
        asOf,
        notes: ctx.input.notes?.get(address) ?? [],
        colleagues: lookup(address, address.slice(address.lastIndexOf('@') + 1)),
      }),
    );
  }

  return meetings.map((m) => {
    const people = m.attendees
      .map((a) => blocks.get(a)!)
      .sort((a, b) => compare(a.domain, b.domain) || compare(a.address, b.address));
    const orgs = [...new Set(people.map((p) => organizationOf(p.address)).filter((o): o is string => o !== null))].sort();
    return {
      start: new Date(m.start).toISOString(),
      end: new Date(Number.isFinite(m.end) ? m.end : m.start).toISOString(),
      attendees: people,
      accounts: orgs.map((o) => ({ ...lines.get(o)! })),
    };
  });
}

/** The organizations' lines computed from the extraction over their items, as of the brief. */
function computedLines(organizations: readonly string[], interactions: readonly Interaction[], rows: readonly ContactHealth[], asOf: Date): BriefAccount[] {
  const heldContacts = new Set<string>();
  for (const i of interactions) heldContacts.add(i.contact);
  const at = asOf.toISOString();
  return accountLines(organizations, heldContacts, rows).map((a) => ({ ...a, asOf: at }));
}

/** The organizations' lines as the report has them; one it does not list had no active contact then. */
function storedLines(organizations: readonly string[], stored: StoredAccountLines): BriefAccount[] {
  const byDomain = new Map(stored.accounts.map((a) => [a.domain, a]));
  const at = stored.asOf.toISOString();
  return organizations.map((domain) => {
    const a = byDomain.get(domain);
    return a
      ? { domain, health: a.health, activeContacts: a.activeContacts, singleThreaded: a.singleThreaded, asOf: at }
      : { domain, health: null, activeContacts: 0, singleThreaded: false, asOf: at };
  });
}

/**
 * In one pass over every item: every meeting (the day's are picked among them), the items
 * the brief's figures can read (every meeting and the mail of the held history before
 * `asOf`, in their order), and among that mail the SENT copies, which Me is learned from
 * as the extraction learns it (so that the extraction over the relevant items alone still
 * knows every own address). The instant is tested before the labels: most of a large
 * mailbox lies outside the held history.
 */
function sentAndMeetings(items: Iterable<Item>, asOf: number): { sent: MailItem[]; calendar: MeetingItem[]; held: Item[] } {
  const inHeld = heldHistory(asOf);
  const sent: MailItem[] = [];
  const calendar: MeetingItem[] = [];
  const held: Item[] = [];
  for (const item of items) {
    if (item.kind === 'meeting') {
      calendar.push(item);
      held.push(item);
      continue;
    }
    if (!inHeld(item.at)) continue;
    held.push(item);
    if (isSentCopy(item)) sent.push(item);
  }
  return { sent, calendar, held };
}

/** Whether a mail's instant lies in the held history before `asOf` (epoch ms). */
function heldHistory(asOf: number): (iso: string) => boolean {
  return heldTest(asOf - HISTORY_DAYS * DAY_MS, asOf);
}

/**
 * The items a brief as of `asOf` can read: every meeting and the held history's mail.
 * A reader of the store keeps only these (`buildBrief`), so a large mailbox's older mail
 * is dropped as it is decoded rather than held in memory; {@link computeBrief} gives the
 * same brief from these as from every item.
 */
export function briefReads(asOf: Date): (item: Item) => boolean {
  const inHeld = heldHistory(asOf.getTime());
  return (item) => item.kind === 'meeting' || inHeld(item.at);
}

/**
 * The items {@link briefedMeetingsOf} reads: every meeting and the held history's SENT
 * copies (what Me is learned from).
 */
export function meetingsReads(asOf: Date): (item: Item) => boolean {
  const inHeld = heldHistory(asOf.getTime());
  return (item) => item.kind === 'meeting' || (isSentCopy(item) && inHeld(item.at));
}

/** The name the first invitation naming the attendee gives, or null. */
function inviteNameOf(meetings: readonly BriefedMeeting[], address: string): string | null {
  for (const m of meetings) {
    const name = m.item.attendees.find((a) => a.address === address)?.name?.trim();
    if (name) return name;
  }
  return null;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
