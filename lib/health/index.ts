import { InputError } from '#lib/errors.ts';
import { domainOf } from '#lib/items/normalize.ts';
import type { Extraction, Interaction } from '#lib/interactions/types.ts';
import type { Settings } from '#lib/settings.ts';
import { rollUpAccounts } from './accounts.ts';
import { buildColumns, largestContact, type Columns } from './columns.ts';
import { feedbackAt } from './feedback.ts';
import { computeFlags } from './flags.ts';
import { InitiativeCounter } from './initiative.ts';
import { measureContact, type ContactMetrics } from './metrics.ts';
import { ReplyMatcher } from './replies.ts';
import { Scratch } from './scratch.ts';
import { healthScore } from './score.ts';
import { round2 } from './stats.ts';
import { classifyTrend } from './trend.ts';
import type { ContactHealth, HealthResult } from './types.ts';
import type { Feedback } from '#lib/items/feedback.ts';
import { DAY_MS, horizonsAt, type Horizons } from './windows.ts';

export type * from './types.ts';

/** Reused by every call (see `Scratch`: fresh buffers cost a full collection per call). */
const scratch = new Scratch();

/**
 * Health of every relationship at `asOf` (DESIGN section 4): per-contact metrics, the
 * score, trend and initiative, the four flags (respecting the user's answers) and the
 * account roll-up.
 *
 * Reads only the held history (`HISTORY_DAYS` before `asOf`, nothing after it), so the
 * result does not depend on whether old items were swept yet. Internal contacts (on
 * `extraction.internalDomains` or `settings.internalDomains`) and the user's own
 * addresses are left out unless `settings.includeInternal`, even if the extraction kept
 * them. Deterministic (same input, same output) and linear in the number of
 * interactions: the interactions become typed-array columns grouped by contact in a few
 * sequential passes (`buildColumns`), then each contact is one contiguous range. The
 * typed arrays are reused from call to call (`Scratch`), so a call allocates little
 * beyond its result and does not set off collections of the caller's whole heap.
 *
 * `calendar` says whether the person has a calendar source (a connected calendar or an
 * imported ics); without one, `noFaceTime` is withheld (empty): Sinew cannot tell "no
 * meetings" from "no calendar" (DESIGN section 4). Default true.
 *
 * Two knobs serve the meeting brief (DESIGN section 9) and leave the weekly report as it
 * is when absent: `owedFloorHours` (default 48) is how recent an owed message may be (the
 * brief passes 0), and `include` names contacts to measure and list among `contacts` even
 * with no interaction in the window (an attendee last seen half a year ago is still
 * known); such a contact has zero window counts, so it is never an active relationship.
 *
 * @throws InputError when `asOf` or a feedback time is not a valid date.
 */
export function computeHealth(extraction: Extraction, opts: HealthOptions): HealthResult {
  const asOf = opts.asOf.getTime();
  if (Number.isNaN(asOf)) throw new InputError('computeHealth: asOf is not a valid date');
  const h = horizonsAt(asOf, opts.settings.windowDays, opts.owedFloorHours);
  const interactions = inTimeOrder(extraction.interactions);
  const from = firstIndexAfter(interactions, h.heldStart - 1);
  const to = firstIndexAfter(interactions, asOf);
  try {
    return healthOf(extraction, opts, h, buildColumns(interactions, from, to, scratch));
  } finally {
    scratch.release();
  }
}

/** What {@link computeHealth} needs besides the extraction. */
export interface HealthOptions {
  asOf: Date;
  settings: Settings;
  /** The person's answers to flags (mute, snooze, fine); none by default. */
  feedback?: Feedback[];
  /** Whether the person has a calendar source; default true. */
  calendar?: boolean;
  /** How recent an inbound message may be and still be owed, in hours; default 48. */
  owedFloorHours?: number;
  /** Contacts listed among `contacts` even when silent in the window. */
  include?: ReadonlySet<string>;
}

/** The body of `computeHealth` over the columns of the held interactions. */
function healthOf(
  extraction: Extraction,
  opts: Omit<HealthOptions, 'asOf'>,
  h: Horizons,
  cols: Columns,
): HealthResult {
  const asOf = h.asOf;
  const left = excludedContact(extraction, opts.settings);
  const replies = new ReplyMatcher(cols, scratch);
  const initiative = new InitiativeCounter(cols, scratch);
  const gaps = scratch.float64('gaps', largestContact(cols));
  const held: ContactMetrics[] = [];
  const contacts: ContactHealth[] = [];
  for (let k = 0; k < cols.contacts.length; k++) {
    if (left(cols.contacts[k]!)) continue;
    const m = measureContact(cols, k, h, gaps);
    held.push(m);
    if (m.inWindow === 0 && opts.include?.has(m.address) !== true) continue;
    const replyHours = replies.replyHours(k, h.windowStart);
    contacts.push({
      address: m.address,
      name: extraction.names.get(m.address) || null,
      sent: m.sent,
      received: m.received,
      meetings: m.meetings,
      meetingMinutes: m.meetingMinutes,
      firstInteraction: new Date(m.firstAt).toISOString(),
      lastInteraction: new Date(m.lastAt).toISOString(),
      frequency: round2(m.frequency),
      cadenceDays: m.cadenceDays,
      reciprocity: m.reciprocity === null ? null : round2(m.reciprocity),
      replyHours,
      health: healthScore({
        silenceDays: (asOf - m.lastAt) / DAY_MS,
        spanDays: (m.lastAt - m.firstAt) / DAY_MS,
        frequency: m.frequency,
        meetings: m.meetings,
        meetingMinutes: m.meetingMinutes,
        reciprocity: m.reciprocity,
        // Written to in the window and never answered is not neutral (DESIGN section 4).
        replyMine: replyHours.mine ?? (m.received > 0 ? 'unanswered' : null),
        replyTheirs: replyHours.theirs ?? (m.sent > 0 ? 'unanswered' : null),
      }),
      trend: classifyTrend(m.recentCount, m.baselineCount),
      initiative: initiative.initiative(k, h.windowStart),
    });
  }
  contacts.sort((a, b) => b.health - a.health || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));

  const upcoming = new Set<string>();
  for (const u of extraction.upcoming) if (u.at > asOf) upcoming.add(u.contact);
  const flags = computeFlags(held, upcoming, feedbackAt(opts.feedback ?? [], asOf), h);
  if (opts.calendar === false) flags.noFaceTime = [];
  const accounts = rollUpAccounts(
    held.map((m) => m.address),
    // Contacts listed only because `include` named them were silent in the window.
    opts.include ? contacts.filter((c) => c.sent + c.received + c.meetings > 0) : contacts,
  );
  return { contacts, ...flags, accounts };
}

/** Whether a contact stays out of the report: the user's own address, or internal. */
function excludedContact(extraction: Extraction, settings: Settings): (address: string) => boolean {
  if (settings.includeInternal) return (address) => extraction.me.has(address);
  const internal = new Set([...extraction.internalDomains, ...settings.internalDomains].map((d) => d.toLowerCase()));
  return (address) => extraction.me.has(address) || internal.has(domainOf(address));
}

/**
 * The extraction promises time order; if a caller breaks it, sort a copy by the
 * documented key (at, contact, kind, itemKey) rather than compute wrong gaps and replies.
 */
function inTimeOrder(interactions: readonly Interaction[]): readonly Interaction[] {
  for (let i = 1; i < interactions.length; i++) {
    if (interactions[i]!.at < interactions[i - 1]!.at) {
      return [...interactions].sort(
        (a, b) =>
          a.at - b.at || cmp(a.contact, b.contact) || cmp(a.kind, b.kind) || cmp(a.itemKey, b.itemKey),
      );
    }
  }
  return interactions;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** First index whose `at` is greater than `t` (binary search over the time order). */
function firstIndexAfter(interactions: readonly Interaction[], t: number): number {
  let lo = 0;
  let hi = interactions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (interactions[mid]!.at > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
