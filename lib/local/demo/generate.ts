import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '#lib/errors.ts';
import { ME } from './cast.ts';
import { icsCalendar } from './ics-text.ts';
import { mboxEntry } from './mbox-text.ts';
import type { DemoExpectations } from './model.ts';
import { buildScenario, DEMO_AS_OF, DEMO_SEED } from './scenario.ts';

/**
 * The bundled sample mailbox of `sinew demo`: a year of a consultant's mail and meetings
 * as the file contents the importers read (Takeout mbox, Google Calendar ics), generated
 * by our own seeded code so every run and machine gets the same bytes.
 */

export type { DemoExpectations } from './model.ts';
export { DEMO_AS_OF, DEMO_SEED } from './scenario.ts';

export interface DemoOptions {
  /** Report time everything is placed relative to; default the demo's 2026-11-23T07:00Z. */
  asOf?: Date;
  seed?: number;
}

export interface DemoMailbox {
  mbox: string;
  ics: string;
  /** The user's addresses, normalized (pass as `--me`). */
  me: string[];
  asOf: Date;
  expectations: DemoExpectations;
}

/** Generates the demo mailbox; identical output for identical `asOf` and `seed`. */
export function generateDemoMailbox(opts: DemoOptions = {}): DemoMailbox {
  const asOf = opts.asOf ?? DEMO_AS_OF;
  if (Number.isNaN(asOf.getTime())) throw new InputError('Demo asOf is not a valid date.');
  const seed = opts.seed ?? DEMO_SEED;
  if (!Number.isInteger(seed)) throw new InputError(`Demo seed must be an integer, got ${seed}.`);
  const scenario = buildScenario(asOf, seed);
  const mbox = scenario.messages.map((m) => mboxEntry(m, ME.address)).join('');
  const ics = icsCalendar(scenario.events, ME.address, ME.tz);
  return { mbox, ics, me: scenario.me, asOf, expectations: scenario.expectations };
}

/**
 * Writes `demo.mbox` and `demo.ics` into `dir` (created if missing) and returns their
 * paths with the rest of the generated mailbox.
 */
export async function writeDemoFiles(
  dir: string, opts: DemoOptions = {},
): Promise<DemoMailbox & { mboxPath: string; icsPath: string }> {
  const demo = generateDemoMailbox(opts);
  await mkdir(dir, { recursive: true });
  const mboxPath = join(dir, 'demo.mbox');
  const icsPath = join(dir, 'demo.ics');
  await writeFile(mboxPath, demo.mbox, 'utf8');
  await writeFile(icsPath, demo.ics, 'utf8');
  return { ...demo, mboxPath, icsPath };
}
