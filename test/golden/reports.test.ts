import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '#test/support/cli.ts';
import golden from './report-hashes.json' with { type: 'json' };

/**
 * The reports as they stood before the tree was reorganized (issue 11: "no behaviour
 * changes, every report, email and JSON stays byte-identical"): the demo's
 * `out/report.json` and the JSON report of the Enron allen-p mailbox, every folder. A
 * change here is a change of behaviour: make it in its own commit that says why, and
 * update `report-hashes.json` there.
 */
const ENRON = new URL('../../../shared/data/enron-allen-p/', import.meta.url).pathname;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('golden reports', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sinew-golden-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('the demo writes the same report.json, byte for byte', async () => {
    const run = await runCli(['demo', '--out', join(dir, 'demo')]);
    expect(run.code, run.stderr).toBe(0);
    expect(sha256(await readFile(join(dir, 'demo', 'report.json'), 'utf8'))).toBe(golden.demo);
  }, 180_000);

  it.runIf(existsSync(ENRON))('Enron allen-p, every folder, internal included, as of 2002-01-01, gives the same JSON', async () => {
    const folders = readdirSync(ENRON).filter((f) => f.endsWith('.mbox')).sort().map((f) => join(ENRON, f));
    expect(folders.length).toBeGreaterThanOrEqual(10);
    const data = join(dir, 'enron-store');
    const imported = await runCli(['import', '--data', data, '--mbox', ...folders, '--me', 'phillip.allen@enron.com', '--me', 'k..allen@enron.com']);
    expect(imported.code, imported.stderr).toBe(0);
    const out = join(dir, 'enron.json');
    const report = await runCli(['report', '--data', data, '--include-internal', '--as-of', '2002-01-01T00:00:00Z', '--json', out]);
    expect(report.code, report.stderr).toBe(0);
    expect(sha256(await readFile(out, 'utf8'))).toBe(golden.enron);
  }, 300_000);
});
