import { InputError } from '#lib/errors.ts';
import type { Item } from '#lib/items/types.ts';
import type { Settings } from '#lib/settings.ts';
import type { Account, Store, User } from '#lib/store/types.ts';
import { briefReads, briefedMeetingsOf, computeBrief, meetingsReads, type ColleagueLookup } from './compute.ts';
import { briefAsOf, localDate } from './day.ts';
import { latestAccountLines } from './report-accounts.ts';
import type { BriefJson, BriefNote } from './schema.ts';

/** What {@link buildBrief} needs besides the store and the person. */
interface BuildBriefOptions {
  /** The local day `YYYY-MM-DD`; default the person's local day at `now`. */
  date?: string;
  /** The instant the figures are as of; default 07:00 local on the day (`--as-of` overrides). */
  asOf?: Date;
  now: Date;
  settings: Settings;
  /** The person's notes by normalized contact address (shown newest first). */
  notes?: ReadonlyMap<string, readonly BriefNote[]>;
  /** Colleagues who know an attendee (team on); none by default. */
  colleagues?: ColleagueLookup;
  /** The person as the caller just read them (to check briefs off, pause): not read again. */
  user?: User;
}

/**
 * Builds one person's brief for one local day (DESIGN section 9) from the store: one
 * Query of the person's partition (keeping the meetings and the held history's mail) and their latest weekly report's account lines (see
 * `latestAccountLines`), then the pure {@link computeBrief}. Nothing is stored.
 * A day without a briefed meeting gives a brief with no meetings (the caller sends none).
 *
 * @throws InputError when the person is not in the store, or as `computeBrief` does.
 */
export async function buildBrief(
  store: Store,
  userId: string,
  opts: BuildBriefOptions,
): Promise<{ user: User; accounts: Account[]; brief: BriefJson }> {
  const { user, accounts } = await personOf(store, userId, opts.user);
  const date = opts.date ?? localDate(opts.now, user.timeZone);
  const asOf = opts.asOf ?? briefAsOf(date, user.timeZone);
  const items = await readItems(store, userId, briefReads(asOf));
  const accountLines = await latestAccountLines(store, userId, asOf, user.timeZone);
  const brief = computeBrief({
    items,
    user,
    accounts,
    date,
    ...(opts.asOf ? { asOf: opts.asOf } : {}),
    ...(accountLines ? { accountLines } : {}),
    settings: opts.settings,
    ...(opts.notes ? { notes: opts.notes } : {}),
    ...(opts.colleagues ? { colleagues: opts.colleagues } : {}),
  });
  return { user, accounts, brief };
}

/** A briefed meeting as a scheduler needs it: when, and with whom (external attendees). */
interface BriefedMeetingSummary {
  start: string;
  end: string;
  attendees: string[];
}

/**
 * The briefed meetings of a person's local day `date` (`YYYY-MM-DD`), in time order, as
 * of 07:00 local (or `asOf`): empty means no brief that day. One Query of the partition,
 * no figures computed.
 *
 * @throws InputError when the person is not in the store or the date is not a day.
 */
export async function briefedMeetingsOn(
  store: Store,
  userId: string,
  date: string,
  settings: Settings,
  asOf?: Date,
): Promise<BriefedMeetingSummary[]> {
  const { user, accounts } = await personOf(store, userId);
  const items = await readItems(store, userId, meetingsReads(asOf ?? briefAsOf(date, user.timeZone)));
  return briefedMeetingsOf({ items, user, accounts, date, settings, ...(asOf ? { asOf } : {}) }).map((m) => ({
    start: new Date(m.start).toISOString(),
    end: new Date(Number.isFinite(m.end) ? m.end : m.start).toISOString(),
    attendees: [...m.attendees],
  }));
}

/** Whether the person has a briefed meeting on their local day `date` (see {@link briefedMeetingsOn}). */
export async function hasBriefedMeeting(store: Store, userId: string, date: string, settings: Settings): Promise<boolean> {
  return (await briefedMeetingsOn(store, userId, date, settings)).length > 0;
}

/** The person (unless the caller already read them) and their mailboxes. */
async function personOf(store: Store, userId: string, known?: User): Promise<{ user: User; accounts: Account[] }> {
  const user = known ?? (await store.getUser(userId));
  if (!user) throw new InputError(`no user ${userId} in the store: import or connect a mailbox first`);
  return { user, accounts: await store.listAccounts(userId) };
}

/**
 * The items of the person's partition that `keep` keeps (see `briefReads`): one Query,
 * each item judged as it is decoded, so older mail is never held in memory.
 */
async function readItems(store: Store, userId: string, keep: (item: Item) => boolean): Promise<Item[]> {
  const items: Item[] = [];
  for await (const item of store.queryItems(userId)) if (keep(item)) items.push(item);
  return items;
}
