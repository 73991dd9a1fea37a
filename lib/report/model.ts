import { InputError } from '#lib/errors.ts';
import { domainOf } from '#lib/items/normalize.ts';
import type { ContactHealth } from '#lib/health/types.ts';
import { isActiveRelationship } from '#lib/health/metrics.ts';
import type { ReportJson } from './types.ts';
import { planActions, type Action } from './actions.ts';
import { DateWords, displayName, fullName, organizationLabel, stripControl } from './phrasing.ts';
import { ADD_CALENDAR_CLI, staleMailbox } from './wording.ts';
import { firstLine } from '#lib/notes/text.ts';
import type { SyncFreshness } from '#lib/sync/freshness.ts';
import type { ReportLinks } from '#lib/links/report-links.ts';
import { providerFacts, type ProviderFacts } from '#lib/providers/registry.ts';
import type { TeamNotice } from './team-notice.ts';

/**
 * What the weekly email shows, computed once so the HTML and text parts say the same
 * thing: the actions first, then "the picture" of the user's relationships.
 */

export type HealthBucket = 'strong' | 'ok' | 'weak';

/** Health buckets: strong at 70 and above, ok from 40 to 69, weak under 40. */
export const BUCKETS: readonly { bucket: HealthBucket; label: string; min: number }[] = [
  { bucket: 'strong', label: 'Strong (70+)', min: 70 },
  { bucket: 'ok', label: 'OK (40–69)', min: 40 },
  { bucket: 'weak', label: 'Weak (under 40)', min: 0 },
];

/** "New this week": first interaction within this many days before asOf. */
const NEW_DAYS = 7;
/** How many contacts the strongest, warming and new lists show. */
const LIST_SIZE = 5;

export interface ModelOptions {
  /** IANA zone dates are written in; default UTC. */
  timeZone?: string;
  /** Last week's report, for "change since last week". */
  previous?: ReportJson;
  links?: ReportLinks;
  /** Connected addresses whose account needs reconnecting: the data is stale. */
  needsReconnect?: string[];
  /** The mailboxes behind the report and how current each one is (issue 10, item 9). */
  mailboxes?: MailboxInput[];
  /**
   * How this person adds a calendar, when the report says it is missing: a sentence and
   * an optional link (reconnect granting the calendar). Default: the CLI's `sinew import --ics`.
   */
  addCalendar?: AddCalendar;
  /**
   * The person's newest note on a contact, keyed by normalized address (DESIGN section 9):
   * its first line is shown beside that contact's action. Notes are the person's own
   * text: shown to them alone, escaped like everything else from outside.
   */
  notes?: ReadonlyMap<string, string>;
  /** What the email says about the team view (DESIGN section 10); none when it is off. */
  team?: TeamNotice;
}

/** One mailbox behind the report, with its sync freshness (lib/sync/freshness.ts). */
export interface MailboxInput {
  address: string;
  /** `files` for an imported archive: it is imported, not synced. */
  provider: ProviderFacts['id'];
  freshness: SyncFreshness;
  /** Messages or meetings the store could not keep even bounded (issue 10, item 6): told, never silent. */
  skippedItems?: number;
}

/** What the email says about one mailbox. */
export interface MailboxLine {
  address: string;
  /** "ann@acme.com: last synced 23 Nov 2026, 06:00", with "(stale)" when it is. */
  line: string;
  stale: boolean;
}

/** How to add the missing calendar: what to do, and where (an absolute link), if anywhere. */
export interface AddCalendar {
  hint: string;
  link?: string;
}

export interface PictureContact {
  address: string;
  displayName: string;
  /** Full name, or the address. */
  fullName: string;
  health: number;
}

export interface BucketCount {
  bucket: HealthBucket;
  label: string;
  count: number;
}

export interface WeekChange {
  /** Difference in active relationships against last week. */
  active: number;
  buckets: Record<HealthBucket, number>;
}

export interface SingleThreadedAccount {
  domain: string;
  label: string;
  /** The one active contact left, when the report lists them. */
  contact: PictureContact | null;
}

export interface ReportModel {
  user: string;
  asOf: string;
  timeZone: string;
  /** asOf as the user reads it, e.g. "24 Nov 2026". */
  weekOf: string;
  /** The health window, in days (settings). */
  windowDays: number;
  actions: Action[];
  /** Actions ranked below the five shown. */
  omittedActions: number;
  /** No actions this week. */
  emptyWeek: boolean;
  /** No previous report: nothing to compare with. */
  firstWeek: boolean;
  needsReconnect: string[];
  /** One line per mailbox: its last successful sync (footer). */
  mailboxes: MailboxLine[];
  /** Mailboxes whose syncs have kept failing for over a day, said at the top. */
  staleNotices: string[];
  /**
   * The person has no calendar source (JSON `calendar: missing`): face-time actions are
   * withheld and the email says so, with how to add one. Null when there is a calendar.
   */
  calendarMissing: AddCalendar | null;
  picture: {
    /** Active relationships: a message each way, or a meeting, in the window (DESIGN section 5). */
    active: number;
    distribution: BucketCount[];
    /** Null in the first week. */
    change: WeekChange | null;
    newThisWeek: PictureContact[];
    newThisWeekCount: number;
    strongest: PictureContact[];
    warming: PictureContact[];
    warmingCount: number;
    singleThreaded: SingleThreadedAccount[];
  };
  /** Every flag the JSON keeps, for "N more in the export". */
  flagCounts: { fading: number; owedReplies: number; awaitingReply: number; noFaceTime: number };
  excluded: ReportJson['excluded'];
  links: ReportLinks;
  /** What the email says about the team view; absent when it is off. */
  team?: TeamNotice;
}

/** The bucket a health score falls in. */
export function bucketOf(health: number): HealthBucket {
  return health >= 70 ? 'strong' : health >= 40 ? 'ok' : 'weak';
}

/**
 * Builds the view model of one week's report. `previous`, when given, must be the same
 * user's report; it drives "change since last week".
 */
export function buildModel(json: ReportJson, options: ModelOptions = {}): ReportModel {
  const timeZone = options.timeZone ?? 'UTC';
  const asOf = new Date(json.asOf);
  const dates = new DateWords(asOf, timeZone);
  const previous = options.previous;
  if (previous && previous.user !== json.user) {
    throw new InputError(`previous report is for ${previous.user}, not ${json.user}`);
  }
  const plan = planActions(json, { timeZone });
  // The picture is of relationships: one-way contacts stay in the JSON, not here.
  const active = json.contacts.filter(isActiveRelationship);
  const byHealth = [...active].sort((a, b) => b.health - a.health || cmp(a.address, b.address));
  const newCutoff = asOf.getTime() - NEW_DAYS * 86_400_000;
  const fresh = byHealth.filter((c) => Date.parse(c.firstInteraction) > newCutoff);
  const warming = byHealth.filter((c) => c.trend === 'warming');
  const distribution = countBuckets(active);

  return {
    user: json.user,
    asOf: json.asOf,
    timeZone,
    weekOf: dates.fullDate(asOf),
    windowDays: json.settings.windowDays,
    actions: options.notes ? withNotes(plan.actions, options.notes) : plan.actions,
    omittedActions: plan.omitted,
    emptyWeek: plan.actions.length === 0,
    firstWeek: previous === undefined,
    needsReconnect: [...(options.needsReconnect ?? [])],
    mailboxes: (options.mailboxes ?? []).map((m) => mailboxLine(m, dates)),
    staleNotices: (options.mailboxes ?? [])
      .filter((m) => m.freshness.state === 'stale')
      .map((m) => staleMailbox(m.address, dates.dateTime(m.freshness.lastSyncAt ?? m.freshness.failingSince ?? json.asOf))),
    calendarMissing: json.calendar === 'missing' ? (options.addCalendar ?? { hint: ADD_CALENDAR_CLI }) : null,
    picture: {
      active: active.length,
      distribution,
      change: previous ? changeSince(active.length, previous, distribution) : null,
      newThisWeek: fresh.slice(0, LIST_SIZE).map(pictureContact),
      newThisWeekCount: fresh.length,
      strongest: byHealth.slice(0, LIST_SIZE).map(pictureContact),
      warming: warming.slice(0, LIST_SIZE).map(pictureContact),
      warmingCount: warming.length,
      singleThreaded: singleThreaded(json, byHealth),
    },
    flagCounts: {
      fading: json.fading.length,
      owedReplies: json.owedReplies.length,
      awaitingReply: json.awaitingReply.length,
      noFaceTime: json.noFaceTime.length,
    },
    excluded: json.excluded,
    links: options.links ?? {},
    ...(options.team ? { team: options.team } : {}),
  };
}

/** Each action's contacts with the first line of their newest note, where there is one. */
function withNotes(actions: Action[], notes: ReadonlyMap<string, string>): Action[] {
  return actions.map((a) => ({
    ...a,
    contacts: a.contacts.map((c) => {
      const note = noteLine(notes.get(c.address));
      return note === null ? c : { ...c, note };
    }),
  }));
}

/**
 * What stands beside an action: the note's first line as lib/notes cuts it (`firstLine`,
 * at most `NOTE_LINE_CHARS` with an ellipsis), on one line whatever white space it held
 * (a tab or a Unicode line separator included); null for none.
 */
export function noteLine(note: string | undefined): string | null {
  const line = stripControl(firstLine(note ?? '')).replace(/\s+/g, ' ').trim();
  return line === '' ? null : line;
}

/** What an email says about one mailbox: when it was last synced (or imported), and whether that is stale. */
export function mailboxLine(m: MailboxInput, dates: DateWords): MailboxLine {
  const f = m.freshness;
  const stale = f.state === 'stale';
  const imported = providerFacts(m.provider).arrival === 'import';
  const verb = imported ? 'last imported' : 'last synced';
  const when = f.lastSyncAt ? `${verb} ${dates.dateTime(f.lastSyncAt)}` : imported ? 'not imported yet' : 'not synced yet';
  const note = stale ? ' (stale)' : f.state === 'needs-reconnect' ? ' (needs reconnecting)' : '';
  const skipped = m.skippedItems ? `; ${m.skippedItems} ${m.skippedItems === 1 ? 'item' : 'items'} too large to store, skipped` : '';
  return { address: m.address, line: `${m.address}: ${when}${note}${skipped}`, stale };
}

function countBuckets(contacts: ContactHealth[]): BucketCount[] {
  const counts: Record<HealthBucket, number> = { strong: 0, ok: 0, weak: 0 };
  for (const c of contacts) counts[bucketOf(c.health)] += 1;
  return BUCKETS.map((b) => ({ bucket: b.bucket, label: b.label, count: counts[b.bucket] }));
}

function changeSince(activeNow: number, previous: ReportJson, now: BucketCount[]): WeekChange {
  const activeBefore = previous.contacts.filter(isActiveRelationship);
  const before = countBuckets(activeBefore);
  const delta = (bucket: HealthBucket): number =>
    (now.find((b) => b.bucket === bucket)?.count ?? 0) - (before.find((b) => b.bucket === bucket)?.count ?? 0);
  return {
    active: activeNow - activeBefore.length,
    buckets: { strong: delta('strong'), ok: delta('ok'), weak: delta('weak') },
  };
}

function singleThreaded(json: ReportJson, byHealth: ContactHealth[]): SingleThreadedAccount[] {
  const accounts = json.accounts
    .filter((a) => a.singleThreaded)
    .sort((a, b) => b.health - a.health || cmp(a.domain, b.domain));
  return accounts.map((a) => {
    const contact = byHealth.find((c) => domainOf(c.address) === a.domain);
    return { domain: a.domain, label: organizationLabel(a.domain), contact: contact ? pictureContact(contact) : null };
  });
}

function pictureContact(c: ContactHealth): PictureContact {
  return {
    address: c.address,
    displayName: displayName(c.address, c.name),
    fullName: fullName(c.address, c.name),
    health: c.health,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
