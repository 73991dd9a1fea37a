import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Store } from '../store/types.ts';
import type { ReportJson } from '../report/types.ts';
import type { Settings } from '../settings.ts';
import { buildUserReport, isoWeek } from '../pipeline/report.ts';
import { serializeReport } from '../report/json.ts';
import { renderReport } from '../report/index.ts';
import { InputError } from '../errors.ts';
import { openCliContext, type GlobalFlags } from './context.ts';
import { parseAsOf, settingsFromFlags, type SettingsFlags } from './options.ts';
import { summarize } from './summary.ts';
import { userIdFor } from '../pipeline/identity.ts';

export interface ReportFlags extends GlobalFlags, SettingsFlags {
  asOf?: string;
  html?: string;
  text?: string;
  json?: string;
  user?: string;
}

export interface WrittenReport {
  json: ReportJson;
  files: string[];
  subject: string;
}

/**
 * Builds, stores (per ISO week, so next week's "change since last week" is real) and
 * writes one user's report.
 */
export async function writeUserReport(
  store: Store,
  userId: string,
  opts: { asOf: Date; settings: Settings; files: { html?: string; text?: string; json?: string } },
): Promise<WrittenReport> {
  const { user, json } = await buildUserReport(store, userId, opts);
  const serialized = serializeReport(json);
  const previousText = await store.getReport(userId, isoWeek(new Date(opts.asOf.getTime() - 7 * 86_400_000)));
  const previous = previousText ? (JSON.parse(previousText) as ReportJson) : undefined;
  await store.putReport(userId, isoWeek(opts.asOf), serialized);
  const rendered = await renderReport(json, { timeZone: user.timeZone, previous });
  const files: string[] = [];
  const write = async (file: string | undefined, body: string): Promise<void> => {
    if (!file) return;
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, body);
    files.push(file);
  };
  await write(opts.files.json, serialized);
  await write(opts.files.html, rendered.html);
  await write(opts.files.text, rendered.text);
  return { json, files, subject: rendered.subject };
}

/** `sinew report`: compute health and write the report files (default `out/report.*`). */
export async function runReport(flags: ReportFlags, out: (line: string) => void, now: () => Date): Promise<void> {
  const asOf = parseAsOf(flags.asOf, now());
  const settings = settingsFromFlags(flags);
  const ctx = await openCliContext(flags);
  try {
    const userId = flags.user ? userIdFor(flags.user) : await ctx.defaultUser();
    if (!userId) throw new InputError('no user to report on: run `sinew import` first, or pass --user ADDRESS');
    const anyFile = flags.html || flags.text || flags.json;
    const files = anyFile
      ? { html: flags.html, text: flags.text, json: flags.json }
      : { html: join('out', 'report.html'), text: join('out', 'report.txt'), json: join('out', 'report.json') };
    const written = await writeUserReport(ctx.store, userId, { asOf, settings, files });
    out(summarize(written.json));
    out('');
    out(`subject: ${written.subject}`);
    out(`wrote ${written.files.join(', ')}`);
  } finally {
    await ctx.close();
  }
}
