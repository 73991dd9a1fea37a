import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoBriefDate, writeDemoFiles, DEMO_AS_OF, DEMO_TIME_ZONE } from '#lib/local/demo/index.ts';
import { importFiles } from '#lib/sync/import-files.ts';
import { defaultSettings } from '#lib/settings.ts';
import { openCliContext, type GlobalFlags } from './context.ts';
import { parseAsOf } from './options.ts';
import { summarize } from './summary.ts';
import { writeUserReport } from './report.ts';
import { briefSummary, noBriefLine, writeUserBrief } from './brief.ts';

export interface DemoFlags extends GlobalFlags {
  out: string;
  asOf?: string;
}

/**
 * `sinew demo` (what `npm start` runs): generates the bundled sample mailbox, imports it
 * into a fresh in-memory store, and writes the report to `out/`, and the meeting brief of
 * the next working day (`out/brief.*`). Deterministic: the same
 * `--as-of` gives byte-identical files.
 */
export async function runDemo(flags: DemoFlags, out: (line: string) => void): Promise<void> {
  const asOf = parseAsOf(flags.asOf, DEMO_AS_OF);
  const dir = await mkdtemp(join(tmpdir(), 'sinew-demo-'));
  const ctx = await openCliContext({ ...flags, memory: true });
  try {
    const demo = await writeDemoFiles(dir, { asOf });
    const imported = await importFiles(ctx.store, {
      mbox: [demo.mboxPath],
      ics: [demo.icsPath],
      me: demo.me,
      internalDomains: [],
      timeZone: DEMO_TIME_ZONE,
      now: asOf,
    });
    out(`sample mailbox: ${imported.mail.read} messages, ${imported.meetings.read} meeting occurrences`);
    const written = await writeUserReport(ctx.store, imported.userId, {
      asOf,
      settings: defaultSettings,
      files: {
        html: join(flags.out, 'report.html'),
        text: join(flags.out, 'report.txt'),
        json: join(flags.out, 'report.json'),
      },
    });
    out(summarize(written.json));
    out('');
    out(`subject: ${written.subject}`);
    out(`wrote ${written.files.join(', ')}`);
    // The brief of the demo's next working day: one line, so a newcomer sees it at once.
    const brief = await writeUserBrief(ctx.store, imported.userId, {
      date: demoBriefDate(asOf),
      now: asOf,
      settings: defaultSettings,
      files: { html: join(flags.out, 'brief.html'), text: join(flags.out, 'brief.txt'), json: join(flags.out, 'brief.json') },
    });
    out(brief.prepared.status === 'ready'
      ? `${briefSummary(brief.prepared)}: wrote ${brief.files.join(', ')}`
      : noBriefLine(brief.prepared, demoBriefDate(asOf), undefined));
  } finally {
    await ctx.close();
    await rm(dir, { recursive: true, force: true });
  }
}
