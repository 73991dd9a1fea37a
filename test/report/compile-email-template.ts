/**
 * The weekly email's compiled template (lib/report/email-template.ts): the report models
 * it is compiled from, and the command that rewrites the generated file.
 *
 *   npx tsx test/report/compile-email-template.ts --write
 *
 * Run it after changing lib/report/html.ts or charts.ts, or after upgrading MJML;
 * test/report/email-template.test.ts fails until the committed file matches.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mjmlOf } from '#lib/report/html.ts';
import { buildModel, type ReportModel } from '#lib/report/model.ts';
import { compileEmailTemplate, generatedModule } from '#lib/report/email-template-compile.ts';
import type { CompiledEmailTemplate } from '#lib/report/email-template.ts';
import { emailFixtures } from './email-fixtures.ts';

export const GENERATED_FILE = fileURLToPath(new URL('../../lib/report/email-template.generated.ts', import.meta.url));

/**
 * Models that together write every section and block the template has: the busy, empty
 * and first weeks, and the busy week again with everything optional switched on (a
 * mailbox to reconnect, a stale one, no calendar).
 */
export async function coverageModels(): Promise<{ name: string; model: ReportModel }[]> {
  const fixtures = await emailFixtures();
  const busy = fixtures.find((f) => f.name === 'busy')!;
  const asOf = busy.json.asOf;
  const everything = buildModel(
    { ...busy.json, calendar: 'missing' },
    {
      ...busy.options,
      needsReconnect: [busy.json.user],
      mailboxes: [
        { address: busy.json.user, provider: 'google', freshness: { state: 'fresh', lastSyncAt: asOf } },
        { address: 'old@example.com', provider: 'microsoft', freshness: { state: 'stale', lastSyncAt: asOf, failingSince: asOf }, skippedItems: 2 },
      ],
      addCalendar: { hint: 'Reconnect with calendar access.', link: 'https://sinew.example/l/calendar' },
    },
  );
  return [...fixtures.map((f) => ({ name: f.name, model: f.model })), { name: 'busy, everything on', model: everything }];
}

/** Compiles the template from {@link coverageModels}. */
export async function compileFromCoverage(): Promise<CompiledEmailTemplate> {
  return compileEmailTemplate((await coverageModels()).map((c) => mjmlOf(c.model)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = generatedModule(await compileFromCoverage());
  if (process.argv.includes('--write')) {
    writeFileSync(GENERATED_FILE, text);
    console.log(`wrote ${GENERATED_FILE} (${Buffer.byteLength(text)} bytes)`);
  } else {
    const same = readFileSync(GENERATED_FILE, 'utf8') === text;
    console.log(same ? 'the compiled email template is up to date' : 'the compiled email template is stale: run with --write');
    process.exitCode = same ? 0 : 1;
  }
}
