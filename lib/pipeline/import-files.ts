import { stat } from 'node:fs/promises';
import type { Store, User } from '../store/types.ts';
import { readMbox } from '../providers/files/mbox.ts';
import { readIcs } from '../providers/files/ics.ts';
import { InputError } from '../errors.ts';
import { ingest, type IngestResult } from './ingest.ts';
import { ICS_IMPORT_CURSOR } from './report.ts';
import { accountIdFor, requireAddress, userIdFor } from './identity.ts';

export interface ImportFilesInput {
  mbox: string[];
  ics: string[];
  /** The user's own addresses; the first is where reports go. */
  me: string[];
  internalDomains: string[];
  timeZone: string;
  /** Recurring meetings are expanded up to this time (upcoming meetings matter). */
  expandUntil: Date;
  /** When the import happens (recorded on a new user). */
  now: Date;
  onProgress?: (file: string, done: number, total: number) => void;
}

export interface ImportFilesResult {
  userId: string;
  mail: IngestResult;
  meetings: IngestResult;
  skipped: number;
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
 * Re-importing the same files changes nothing.
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
    // An imported ics marks the account as a calendar source (pipeline/report.ts), so a
    // calendar without a meeting in the held history still tells "no meetings".
    cursors: { ...(account?.cursors ?? {}), ...(input.ics.length > 0 ? { [ICS_IMPORT_CURSOR]: input.now.toISOString() } : {}) },
    lastSyncAt: input.now.toISOString(),
  });

  let skipped = 0;
  const mail: IngestResult = { read: 0, written: 0, unchanged: 0 };
  for (const file of input.mbox) {
    const r = await ingest(
      store,
      userId,
      readMbox(file, {
        accountId,
        onProgress: (done, total) => input.onProgress?.(file, done, total),
        onSkip: () => {
          skipped += 1;
        },
      }),
    );
    mail.read += r.read;
    mail.written += r.written;
    mail.unchanged += r.unchanged;
  }
  const meetings: IngestResult = { read: 0, written: 0, unchanged: 0 };
  for (const file of input.ics) {
    const r = await ingest(store, userId, await readIcs(file, { accountId, expandUntil: input.expandUntil, owner: me }));
    meetings.read += r.read;
    meetings.written += r.written;
    meetings.unchanged += r.unchanged;
  }
  return { userId, mail, meetings, skipped };
}

/** True when Intl knows the zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
