import { stat } from 'node:fs/promises';
import type { Store, User } from '#lib/store/types.ts';
import { readMbox } from '#lib/providers/files/mbox.ts';
import { streamIcs } from '#lib/providers/files/ics.ts';
import type { FileSkip } from '#lib/providers/files/skips.ts';
import { InputError } from '#lib/errors.ts';
import { HISTORY_DAYS } from '#lib/settings.ts';
import { isTimeZone } from '#lib/time/zones.ts';
import { ingest, type IngestResult } from './ingest.ts';
import { ItemLedger } from '#lib/store/item-ledger.ts';
import { ICS_IMPORT_CURSOR } from '#lib/providers/registry.ts';
import { accountIdFor, requireAddress, userIdFor } from '#lib/connect/identity.ts';

export interface ImportFilesInput {
  mbox: string[];
  ics: string[];
  /** The user's own addresses; the first is where reports go. */
  me: string[];
  internalDomains: string[];
  timeZone: string;
  /**
   * Recurring meetings are expanded within this window, and only there.
   * @default importWindow(now)
   */
  calendarWindow?: CalendarWindow;
  /** When the import happens (recorded on a new user). */
  now: Date;
  onProgress?: (file: string, done: number, total: number) => void;
}

export interface ImportFilesResult {
  userId: string;
  mail: IngestResult;
  meetings: IngestResult;
  /** Messages and events left out, in all (by the readers and by the store). */
  skipped: number;
  /** What was left out, by file and reason, in the order first met. */
  skips: ImportSkip[];
}

/** Skips of one file for one reason. */
export interface ImportSkip {
  /** The file as given. */
  file: string;
  /** Messages, events, or (`file`) the rest of the file. */
  kind: FileSkip['kind'];
  reason: string;
  count: number;
  /** The first few UIDs of the events skipped (messages are not named). */
  ids: string[];
}

/** The UIDs an {@link ImportSkip} keeps: enough to find them, few enough for one line. */
const MAX_SKIP_IDS = 5;

/** The instants recurring meetings are expanded between. */
export interface CalendarWindow {
  from: Date;
  until: Date;
}

/**
 * Days after the import that recurring meetings are expanded: the lookahead of the
 * calendar sources (Google's and Graph's `aheadDays`), so an upcoming meeting counts the
 * same whether the calendar was imported or synced.
 */
export const CALENDAR_AHEAD_DAYS = 90;

/**
 * The window the metrics read meetings in, around `asOf`: the history Sinew holds
 * (`HISTORY_DAYS` before, where every metric looks) and the lookahead in which a meeting
 * is upcoming ({@link CALENDAR_AHEAD_DAYS} after). An occurrence outside it counts for
 * nothing, so series are expanded only within it.
 */
export function importWindow(asOf: Date): CalendarWindow {
  const DAY_MS = 86_400_000;
  return {
    from: new Date(asOf.getTime() - HISTORY_DAYS * DAY_MS),
    until: new Date(asOf.getTime() + CALENDAR_AHEAD_DAYS * DAY_MS),
  };
}

/** Fails early, naming the file, when an input file is missing or not a regular file. */
async function requireFiles(flag: string, files: string[]): Promise<void> {
  for (const file of files) {
    const s = await stat(file).catch(() => undefined);
    if (!s || !s.isFile()) throw new InputError(`${flag}: no such file: ${file}`);
  }
}

/**
 * Imports Takeout-style archives for one person: creates (or updates) the user and the
 * files account, then streams every message and meeting occurrence into the store.
 * Re-importing the same files changes nothing. Never stops on one message or event: what
 * a reader or the store leaves out is counted, by file and reason, in `skips`.
 */
export async function importFiles(store: Store, input: ImportFilesInput): Promise<ImportFilesResult> {
  if (input.me.length === 0) {
    throw new InputError('import needs --me ADDRESS: your own address(es), so Sinew can tell what you sent from what you received');
  }
  if (input.mbox.length === 0 && input.ics.length === 0) {
    throw new InputError('import needs at least one --mbox FILE or --ics FILE');
  }
  const me = input.me.map((a) => requireAddress(a, '--me'));
  await requireFiles('--mbox', input.mbox);
  await requireFiles('--ics', input.ics);
  if (!isTimeZone(input.timeZone)) {
    throw new InputError(`--time-zone must be an IANA time zone such as Europe/Paris (got '${input.timeZone}')`);
  }

  const userId = userIdFor(me[0]!);
  const existing = await store.getUser(userId);
  const user: User = {
    userId,
    email: me[0]!,
    timeZone: input.timeZone,
    me: [...new Set([...(existing?.me ?? []), ...me])].sort(),
    internalDomains: [...new Set([...(existing?.internalDomains ?? []), ...input.internalDomains])].sort(),
    reportsPaused: existing?.reportsPaused ?? false,
    createdAt: existing?.createdAt ?? input.now.toISOString(),
  };
  await store.putUser(user);
  const accountId = accountIdFor('files', me[0]!);
  const account = await store.getAccount(userId, accountId);
  await store.putAccount({
    userId,
    accountId,
    provider: 'files',
    address: me[0]!,
    aliases: [...new Set([...(account?.aliases ?? []), ...me.slice(1)])].sort(),
    status: 'active',
    errorCount: 0,
    // An imported ics marks the account as a calendar source (report/build.ts), so a
    // calendar without a meeting in the held history still tells "no meetings".
    cursors: { ...(account?.cursors ?? {}), ...(input.ics.length > 0 ? { [ICS_IMPORT_CURSOR]: input.now.toISOString() } : {}) },
    lastSyncAt: input.now.toISOString(),
  });

  const skips = new SkipTally();
  // The import is the files account's one writer: on a first import nothing is read back.
  const written = { ledger: new ItemLedger(accountId) };
  const mail: IngestResult = { read: 0, written: 0, unchanged: 0, skipped: 0 };
  for (const file of input.mbox) {
    const r = await ingest(
      store,
      userId,
      readMbox(file, {
        accountId,
        onProgress: (done, total) => input.onProgress?.(file, done, total),
        onSkip: (_detail, skip) => skips.add(file, skip),
      }),
      (s) => skips.add(file, { kind: 'message', reason: storeReason(s.reason) }),
      written,
    );
    add(mail, r);
  }
  const window = input.calendarWindow ?? importWindow(input.now);
  const meetings: IngestResult = { read: 0, written: 0, unchanged: 0, skipped: 0 };
  for (const file of input.ics) {
    const r = await ingest(
      store,
      userId,
      streamIcs(file, {
        accountId, expandFrom: window.from, expandUntil: window.until, owner: me,
        onSkip: (_detail, skip) => skips.add(file, skip),
      }),
      (s) => skips.add(file, { kind: 'event', reason: storeReason(s.reason), id: s.providerId.replace(/#[^#]*$/, '') }),
      written,
    );
    add(meetings, r);
  }
  return { userId, mail, meetings, skipped: skips.total, skips: skips.list() };
}

/**
 * The store's reason for an item it could not keep, as a cause shared by such items: its
 * own sentence carries sizes and ids (a Message-ID may hold an address), not for a summary.
 */
function storeReason(reason: string): string {
  return /item limit/i.test(reason) ? 'too big to store, even bounded' : 'refused by the store';
}

function add(sum: IngestResult, r: IngestResult): void {
  sum.read += r.read;
  sum.written += r.written;
  sum.unchanged += r.unchanged;
  sum.skipped += r.skipped;
}

/** Counts skips by file, kind and reason, keeping a few UIDs of each. */
class SkipTally {
  private readonly byKey = new Map<string, ImportSkip>();
  total = 0;

  add(file: string, skip: FileSkip): void {
    if (skip.kind !== 'file') this.total += 1;
    const key = `${file}\0${skip.kind}\0${skip.reason}`;
    let entry = this.byKey.get(key);
    if (!entry) {
      entry = { file, kind: skip.kind, reason: skip.reason, count: 0, ids: [] };
      this.byKey.set(key, entry);
    }
    entry.count += 1;
    if (skip.id !== undefined && entry.ids.length < MAX_SKIP_IDS && !entry.ids.includes(skip.id)) entry.ids.push(skip.id);
  }

  list(): ImportSkip[] {
    return [...this.byKey.values()];
  }
}


export { ICS_IMPORT_CURSOR };
