import { InputError } from '#lib/errors.ts';
import { isDeletedItemsFolder, mboxFolderOf } from '#lib/items/folders.ts';
import type { Item, MailItem } from '#lib/items/types.ts';
import { HISTORY_DAYS, type Settings } from '#lib/settings.ts';
import { AUTOMATED_LABELS, automatedReason, automatedSenderReason, isBroadcast } from './classify.ts';
import { dedupeItems, itemKeyOf } from './dedupe.ts';
import { InternalDomains, organizationDomains } from './internal.ts';
import { isSentCopy, resolveMe } from './me.ts';
import { meetingContacts, meetingMinutes } from './meetings.ts';
import { NameBook } from './names.ts';
import type { Excluded, Extraction, Interaction, UpcomingMeeting } from './types.ts';

const DAY_MS = 86_400_000;

/** What {@link extractInteractions} needs besides the items. */
export interface ExtractOptions {
  /** The report's instant: mail after it is ignored, meetings after it are upcoming. */
  asOf: Date;
  settings: Settings;
  /** Addresses configured with `--me` (raw; display names allowed). */
  me: string[];
  /** Connected addresses and their provider aliases (raw). */
  accountAddresses: string[];
}

/**
 * Derives interactions from one user's stored items (DESIGN section 3).
 *
 * Only the held history counts: mail sent in the `HISTORY_DAYS` before `asOf`, meetings
 * starting in that span (those starting at or after `asOf` are upcoming). Mail after
 * `asOf` is ignored entirely, even to learn Me, so a report as of a past date is
 * reproducible from a store that has since grown.
 *
 * Each message or meeting occurrence is judged once, and the first reason that applies
 * is the one counted in `excluded`: duplicate, then automated, then broadcast (for
 * meetings: more than `maxAttendees`), then internal. Internal counts a message only
 * when every contact of it is internal; a message with one external contact keeps its
 * external interactions and is not excluded. Messages with no contact at all (a note to
 * self, an unparseable sender) and meetings the user did not attend are not exchanges
 * and are counted nowhere.
 *
 * Linear in the number of items but for one numeric sort by time, so it can run over
 * every item of a user at each report.
 *
 * @throws InputError when `asOf` is not a valid date or an own address is not an address
 */
export function extractInteractions(items: Iterable<Item>, opts: ExtractOptions): Extraction {
  const asOf = opts.asOf.getTime();
  if (!Number.isFinite(asOf)) throw new InputError('asOf is not a valid date');
  const heldFrom = asOf - HISTORY_DAYS * DAY_MS;
  const { settings } = opts;

  // Pass 1: keep what lies in the held history, and learn Me from its SENT copies.
  const considered: Item[] = [];
  const times: number[] = [];
  const sentCopies: MailItem[] = [];
  for (const item of items) {
    const t = Date.parse(item.kind === 'mail' ? item.at : item.start);
    if (!(t >= heldFrom)) continue; // also drops an unparseable time (NaN)
    if (item.kind === 'mail') {
      if (t >= asOf) continue;
      if (isSentCopy(item)) sentCopies.push(item);
    }
    considered.push(item);
    times.push(t);
  }
  const me = resolveMe(sentCopies, opts.me, opts.accountAddresses);
  const internalDomains = organizationDomains(opts.accountAddresses, settings.internalDomains);
  const internal = new InternalDomains(internalDomains);

  const { kept, dropped } = dedupeItems(considered, times, me);
  const excluded: Excluded = { automated: 0, broadcast: 0, internal: 0, duplicates: 0 };
  for (const i of dropped) if (times[i]! < asOf) excluded.duplicates++;

  const interactions: Interaction[] = [];
  const upcoming = new Map<string, UpcomingMeeting>();
  const names = new NameBook();

  // Verdicts per address and per folder label: a mailbox names the same few thousand
  // people and folders on every message, and deciding each costs string work.
  const internalVerdicts = new Map<string, boolean>();
  const isInternal = (address: string): boolean => {
    let v = internalVerdicts.get(address);
    if (v === undefined) internalVerdicts.set(address, (v = internal.isInternal(address)));
    return v;
  };
  const automatedSenders = new Map<string, boolean>();
  const trashedFolders = new Map<string, boolean>();

  /** Drops internal contacts unless included; counts the item when none is left. */
  const external = (contacts: string[]): string[] => {
    if (settings.includeInternal || contacts.length === 0) return contacts;
    let out = contacts;
    for (let k = 0; k < contacts.length; k++) {
      if (!isInternal(contacts[k]!)) continue;
      // Rare: copy the external ones only when an internal one is there.
      out = [];
      for (const c of contacts) if (!isInternal(c)) out.push(c);
      break;
    }
    if (out.length === 0) excluded.internal++;
    return out;
  };

  // Visiting items in time order (as dedupe returns them) leaves the interactions
  // sorted but for ties of `at`, which sortTies settles: far cheaper than one
  // comparator sort over every interaction.
  for (const i of kept) {
    const item = considered[i]!;
    const at = times[i]!;
    if (item.kind === 'mail') {
      const outbound = item.from !== null && me.has(item.from);
      if (isAutomated(item, automatedSenders)) {
        excluded.automated++;
        continue;
      }
      if (isBroadcast(item, outbound, settings.maxRecipients)) {
        excluded.broadcast++;
        continue;
      }
      const contacts = external(outbound ? recipientsOtherThanMe(item, me) : item.from ? [item.from] : []);
      if (contacts.length === 0) continue;
      names.learnFromMail(item, contacts, at);
      const itemKey = itemKeyOf(item);
      const trashed = !outbound && isTrashed(item, trashedFolders);
      const toMe = !outbound && includesAny(item.to, me);
      for (const contact of contacts) {
        interactions.push({
          contact, kind: outbound ? 'sent' : 'received', at, itemKey,
          threadId: item.threadId, messageId: item.messageId, replyTo: item.replyTo,
          toMe, trashed, minutes: 0,
        });
      }
    } else {
      const outcome = meetingContacts(item, me, settings.maxAttendees);
      if (!outcome.counts) {
        if (outcome.reason === 'too-many-attendees' && at < asOf) excluded.broadcast++;
        continue;
      }
      if (at >= asOf) {
        // Upcoming: same attendee rules; nothing is excluded from the future.
        const contacts = settings.includeInternal ? outcome.contacts : outcome.contacts.filter((c) => !internal.isInternal(c));
        for (const contact of contacts) upcoming.set(`${at}\n${contact}`, { contact, at });
        names.learnFromMeeting(item, contacts, at);
        continue;
      }
      const contacts = external(outcome.contacts);
      if (contacts.length === 0) continue;
      names.learnFromMeeting(item, contacts, at);
      const itemKey = itemKeyOf(item);
      const minutes = meetingMinutes(at, Date.parse(item.end));
      for (const contact of contacts) {
        interactions.push({
          contact, kind: 'meeting', at, itemKey, threadId: null, messageId: null, replyTo: [],
          toMe: false, trashed: false, minutes,
        });
      }
    }
  }

  sortTies(interactions);
  const upcomingList = [...upcoming.values()].sort((a, b) => a.at - b.at || compareText(a.contact, b.contact));
  return {
    interactions,
    upcoming: upcomingList,
    names: names.resolve(),
    me,
    internalDomains,
    excluded,
  };
}

/** Outbound mail: every distinct To, Cc and Bcc recipient who is not Me. */
function recipientsOtherThanMe(item: MailItem, me: ReadonlySet<string>): string[] {
  const out: string[] = [];
  // Recipient lists are short (broadcasts are gone by now), so a scan beats a Set.
  const add = (list: readonly string[]): void => {
    for (const a of list) if (a && !me.has(a) && !out.includes(a)) out.push(a);
  };
  if (item.to.length + item.cc.length + item.bcc.length > 32) {
    // A large maxRecipients lets long lists through: keep it linear.
    return [...new Set([...item.to, ...item.cc, ...item.bcc])].filter((a) => a && !me.has(a));
  }
  add(item.to);
  add(item.cc);
  add(item.bcc);
  return out;
}

function includesAny(list: readonly string[], set: ReadonlySet<string>): boolean {
  for (const a of list) if (set.has(a)) return true;
  return false;
}

/**
 * Gmail Trash, Outlook Deleted Items, or an archive's deleted-mail folder (an mbox that
 * names its folders, as Enron's `Deleted Items`): still an exchange, never an owed
 * reply. The archive folder means what Outlook's does, so an imported mailbox and the
 * same mailbox synced through Graph give the same owed replies.
 */
function isTrashed(item: MailItem, verdicts: Map<string, boolean>): boolean {
  if (item.labels.includes('TRASH') || item.labels.includes('folder:deleteditems')) return true;
  const folder = mboxFolderOf(item.labels);
  if (folder === null) return false;
  let v = verdicts.get(folder);
  if (v === undefined) verdicts.set(folder, (v = isDeletedItemsFolder(folder)));
  return v;
}

/**
 * Whether {@link automatedReason} finds a reason, with the sender's verdict (the one
 * costly rule, and one per address however many messages it sent) kept in `senders`.
 */
function isAutomated(item: MailItem, senders: Map<string, boolean>): boolean {
  if (item.bulkSignals.length > 0) return automatedReason(item) !== null;
  if (item.from) {
    let v = senders.get(item.from);
    if (v === undefined) senders.set(item.from, (v = automatedSenderReason(item.from) !== null));
    if (v) return true;
  }
  for (const label of item.labels) if (AUTOMATED_LABELS.has(label)) return true;
  return false;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts each run of interactions with the same `at` (in place) into the promised order. */
function sortTies(interactions: Interaction[]): void {
  for (let start = 0; start < interactions.length; ) {
    const at = interactions[start]!.at;
    let end = start + 1;
    while (end < interactions.length && interactions[end]!.at === at) end++;
    if (end - start > 1) {
      const run = interactions.slice(start, end).sort(compareInteractions);
      for (let k = 0; k < run.length; k++) interactions[start + k] = run[k]!;
    }
    start = end;
  }
}

/** The order types.ts promises: at, contact, kind, itemKey. */
function compareInteractions(a: Interaction, b: Interaction): number {
  return a.at - b.at || compareText(a.contact, b.contact) || compareText(a.kind, b.kind) || compareText(a.itemKey, b.itemKey);
}
