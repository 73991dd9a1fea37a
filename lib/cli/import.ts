import { basename } from 'node:path';
import { openCliContext, type GlobalFlags } from './context.ts';
import { importFiles, importWindow, type ImportSkip } from '#lib/sync/import-files.ts';
import { parseAsOf, parseDomain } from './options.ts';
import { byteProgress } from './progress.ts';

export interface ImportFlags extends GlobalFlags {
  mbox?: string[];
  ics?: string[];
  me?: string[];
  internalDomain?: string[];
  timeZone: string;
  /** Anchors the calendar window (default: now). */
  asOf?: string;
}

/** `sinew import`: Takeout-style files into the local store. */
export async function runImport(flags: ImportFlags, out: (line: string) => void, now: () => Date): Promise<void> {
  const at = now();
  const asOf = parseAsOf(flags.asOf, at);
  const ctx = await openCliContext(flags);
  try {
    const bars = new Map<string, ReturnType<typeof byteProgress>>();
    const result = await importFiles(ctx.store, {
      mbox: flags.mbox ?? [],
      ics: flags.ics ?? [],
      me: flags.me ?? [],
      internalDomains: (flags.internalDomain ?? []).map(parseDomain),
      timeZone: flags.timeZone,
      calendarWindow: importWindow(asOf),
      now: at,
      onProgress: (file, done, total) => {
        let bar = bars.get(file);
        if (!bar) {
          bars.forEach((b) => b.stop());
          bar = byteProgress(file.length > 30 ? `…${file.slice(-29)}` : file);
          bars.set(file, bar);
        }
        bar.update(done, total);
      },
    });
    bars.forEach((b) => b.stop());
    await ctx.setDefaultUser(result.userId);
    out(
      `imported ${result.mail.read} messages (${result.mail.written} new, ${result.mail.unchanged} already held)` +
        ` and ${result.meetings.read} meeting occurrences (${result.meetings.written} new)`,
    );
    if (result.skips.length) out(skipLine(result.skips));
  } finally {
    await ctx.close();
  }
}

/** The longest UID shown: Google's are about 60 characters, hostile ones need not be. */
const MAX_ID_CHARS = 64;

/**
 * Everything an import left out, in one line: `skipped 1 message (header line over 1 MB)
 * in big.mbox; 2 events (bad dates: UIDs a, b) in cal.ics; the rest of x.mbox.gz (gzip
 * data ends early)`. Files are named by their base name; messages never by an id.
 */
export function skipLine(skips: readonly ImportSkip[]): string {
  const parts = skips.map((s) => {
    const name = basename(s.file);
    if (s.kind === 'file') return `the rest of ${name} (${s.reason})`;
    const noun = s.kind === 'message' ? (s.count === 1 ? 'message' : 'messages') : s.count === 1 ? 'event' : 'events';
    const shown = s.ids.map((id) => (id.length > MAX_ID_CHARS ? `${id.slice(0, MAX_ID_CHARS - 1)}…` : id));
    const more = s.count > shown.length && shown.length > 0 ? ` and ${s.count - shown.length} more` : '';
    const ids = shown.length ? `: ${shown.length === 1 ? 'UID' : 'UIDs'} ${shown.join(', ')}${more}` : '';
    return `${s.count.toLocaleString('en')} ${noun} (${s.reason}${ids}) in ${name}`;
  });
  return `skipped ${parts.join('; ')}`.replace(/[\r\n]+/g, ' ');
}
