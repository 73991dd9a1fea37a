import * as z from 'zod';
import type { Settings } from '#lib/settings.ts';
import type { Store } from '#lib/store/types.ts';
import { localIsoWeek, previousIsoWeek } from '#lib/time/weeks.ts';

/**
 * The account lines a brief takes from the person's latest weekly report (DESIGN section 9,
 * "per organization in the meeting").
 *
 * An organization's line is a roll-up of every contact there (the highest health among its
 * active contacts, how many are active, single-threaded or not), so computing it afresh
 * means extracting and scoring every message naming anyone at that organization: on the
 * 1 GB benchmark mailbox, 77,000 of 290,000 items for a day of ten meetings, over half a
 * second, where the attendees' own figures need 9,000. The weekly report computed exactly
 * these lines for the whole mailbox at most a week before, and stored them (`REPORT#`), so
 * the brief reads them back (one GetItem) and says in its JSON (`asOf` of each line) and its
 * words ("as of your report of Mon 23 Nov") when they are from. The attendees' own figures
 * are always computed as of the brief.
 *
 * A report is used only when it was computed with the same rules as the brief (window,
 * broadcast and meeting-size limits, internal domains) and at most {@link MAX_AGE_DAYS}
 * before the brief's instant; otherwise (a first week, a paused person, settings changed)
 * the brief computes the lines itself, exactly, as of its own instant.
 */

/** Account lines already computed, and the instant they are as of. */
export interface StoredAccountLines {
  asOf: Date;
  /** The report's accounts: every organization with an active contact. */
  accounts: ReadonlyArray<{ domain: string; health: number; activeContacts: number; singleThreaded: boolean }>;
  /** The rules the report was computed with. */
  settings: { windowDays: number; maxRecipients: number; maxAttendees: number; includeInternal: boolean; internalDomains: readonly string[] };
}

/** A report is a week apart from the next; a day's grace for a late or re-run one. */
export const MAX_AGE_DAYS = 8;

const DAY_MS = 86_400_000;

/**
 * The part of a stored report the brief reads: its instant, rules and accounts (the rest,
 * thousands of contact rows, is neither validated nor kept). Non-strict on purpose: the
 * report's own schema (lib/report/json.ts) is the contract of the whole document.
 */
const storedLinesSchema = z.object({
  asOf: z.iso.datetime({ offset: false }),
  settings: z.object({
    windowDays: z.number().int().positive(),
    maxRecipients: z.number().int().positive(),
    maxAttendees: z.number().int().positive(),
    includeInternal: z.boolean(),
    internalDomains: z.array(z.string()),
  }),
  accounts: z.array(
    z.object({
      domain: z.string().min(1),
      health: z.number().min(0).max(100),
      activeContacts: z.number().int().nonnegative(),
      singleThreaded: z.boolean(),
    }),
  ),
});

/**
 * The newest stored report's account lines usable for a brief as of `asOf`: this local
 * ISO week's report or the one before, computed at or before `asOf` and at most
 * {@link MAX_AGE_DAYS} before it. Undefined when there is none; a stored report that does
 * not read back is passed over (the brief then computes its lines) rather than failing the
 * brief.
 */
export async function latestAccountLines(
  store: Pick<Store, 'getReport'>,
  userId: string,
  asOf: Date,
  timeZone: string,
): Promise<StoredAccountLines | undefined> {
  const week = localIsoWeek(asOf, timeZone);
  for (const w of [week, previousIsoWeek(week)]) {
    const text = await store.getReport(userId, w);
    if (text === undefined) continue;
    const lines = readAccountLines(text);
    if (lines && isFreshFor(lines, asOf)) return lines;
  }
  return undefined;
}

/** A stored report's account lines, or undefined when the text is not such a report. */
export function readAccountLines(text: string): StoredAccountLines | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = storedLinesSchema.safeParse(value);
  if (!parsed.success) return undefined;
  return { ...parsed.data, asOf: new Date(parsed.data.asOf) };
}

/** Computed at or before `asOf`, at most {@link MAX_AGE_DAYS} before it. */
export function isFreshFor(lines: Pick<StoredAccountLines, 'asOf'>, asOf: Date): boolean {
  const age = asOf.getTime() - lines.asOf.getTime();
  return age >= 0 && age <= MAX_AGE_DAYS * DAY_MS;
}

/** Whether the report was computed with the rules the brief uses. */
export function sameRules(lines: StoredAccountLines, settings: Settings, internalDomains: readonly string[]): boolean {
  const s = lines.settings;
  return (
    s.windowDays === settings.windowDays &&
    s.maxRecipients === settings.maxRecipients &&
    s.maxAttendees === settings.maxAttendees &&
    s.includeInternal === settings.includeInternal &&
    [...s.internalDomains].sort().join('\n') === [...internalDomains].sort().join('\n')
  );
}
