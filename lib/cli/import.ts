import { openCliContext, type GlobalFlags } from './context.ts';
import { importFiles } from '../pipeline/import-files.ts';
import { parseDomain } from './options.ts';
import { byteProgress } from './progress.ts';

export interface ImportFlags extends GlobalFlags {
  mbox?: string[];
  ics?: string[];
  me?: string[];
  internalDomain?: string[];
  timeZone: string;
}

/** How far ahead recurring meetings are expanded: upcoming meetings suppress "fading". */
const EXPAND_AHEAD_DAYS = 366;

/** `sinew import`: Takeout-style files into the local store. */
export async function runImport(flags: ImportFlags, out: (line: string) => void, now: () => Date): Promise<void> {
  const ctx = await openCliContext(flags);
  try {
    const at = now();
    const bars = new Map<string, ReturnType<typeof byteProgress>>();
    const result = await importFiles(ctx.store, {
      mbox: flags.mbox ?? [],
      ics: flags.ics ?? [],
      me: flags.me ?? [],
      internalDomains: (flags.internalDomain ?? []).map(parseDomain),
      timeZone: flags.timeZone,
      expandUntil: new Date(at.getTime() + EXPAND_AHEAD_DAYS * 86_400_000),
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
      `imported ${result.mail.read} messages (${result.mail.written} new, ${result.mail.unchanged} already held` +
        `${result.skipped ? `, ${result.skipped} unreadable skipped` : ''}) and ${result.meetings.read} meeting occurrences` +
        ` (${result.meetings.written} new)`,
    );
  } finally {
    await ctx.close();
  }
}
