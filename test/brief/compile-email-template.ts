/**
 * The brief email's compiled template (lib/brief/email-template.generated.ts): the
 * briefs it is compiled from, and the command that rewrites the generated file.
 *
 *   npx tsx test/brief/compile-email-template.ts --write
 *
 * Run it after changing lib/brief/render-html.ts or lib/report/email-style.ts, or after
 * upgrading MJML; test/brief/email-template.test.ts fails until the committed file matches.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BRIEF_EMAIL, briefMjml } from '#lib/brief/render-html.ts';
import { buildBriefModel } from '#lib/brief/render-model.ts';
import { compileEmailTemplate, generatedModule } from '#lib/report/email-template-compile.ts';
import type { CompiledEmailTemplate } from '#lib/report/email-template.ts';
import { coverageBriefs } from './email-fixtures.ts';

export const GENERATED_FILE = fileURLToPath(new URL('../../lib/brief/email-template.generated.ts', import.meta.url));

/** The MJML of every coverage brief. */
export function coverageSources(): string[] {
  return coverageBriefs().map((c) => briefMjml(buildBriefModel(c.json, c.options)));
}

/** Compiles the brief's template from {@link coverageSources}. */
export async function compileBriefTemplate(): Promise<CompiledEmailTemplate> {
  return compileEmailTemplate(coverageSources(), BRIEF_EMAIL);
}

/** The generated module's text. */
export async function briefGeneratedModule(): Promise<string> {
  return generatedModule(await compileBriefTemplate(), BRIEF_EMAIL);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = await briefGeneratedModule();
  if (process.argv.includes('--write')) {
    writeFileSync(GENERATED_FILE, text);
    console.log(`wrote ${GENERATED_FILE} (${Buffer.byteLength(text)} bytes)`);
  } else {
    const same = readFileSync(GENERATED_FILE, 'utf8') === text;
    console.log(same ? 'the compiled brief template is up to date' : 'the compiled brief template is stale: run with --write');
    process.exitCode = same ? 0 : 1;
  }
}
