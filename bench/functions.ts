/**
 * Lambda bundle sizes and cold initialization (DESIGN section 7, issue 5 "npm run bench").
 * Bundles each functions/*.ts entry with the stack's own esbuild options (infra/bundling.ts)
 * and, per function, prints the bundle size (raw and gzipped), its share of Lambda's 250 MB
 * unzipped limit, and the median time of 5 fresh `node` processes importing it (measured
 * inside the child around the dynamic import, so process start-up is not counted), with
 * and without `--enable-source-maps` (the stack sets it; Node then parses the map at load),
 * and the five largest inputs of each bundle by package, from esbuild's metafile (issue 14:
 * what each dependency costs, so the next one to cut is plain). Bundles are built and
 * measured by bench/bundles.ts, as the bundle-size test builds them.
 *
 * Standalone: `npx tsx bench/functions.ts`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { BUNDLE_LIMIT_BYTES, FUNCTION_NAMES } from '#infra/bundling.ts';
import { buildFunctionBundle, largestInputs } from './bundles.ts';

/** Lambda's limit on a function's unzipped deployment package. */
const LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024;
const RUNS = 5;

const IMPORT_CHILD = `
const t = performance.now();
const c = process.cpuUsage();
const mod = await import(process.argv[1]);
const ms = performance.now() - t;
const cpu = process.cpuUsage(c);
if (typeof mod.handler !== 'function') throw new Error('no handler export');
process.stdout.write(JSON.stringify([ms, (cpu.user + cpu.system) / 1000]));
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

/**
 * Median import time of a bundle over {@link RUNS} fresh processes (empty environment, as
 * in test/infra): wall time, which is what Lambda's init waits, and the process's CPU time,
 * which a busy machine inflates less (the figures on a shared 2-core machine vary with its load).
 */
function coldImportMs(file: string, sourceMaps: boolean): { wall: number; cpu: number } {
  const runs: Array<[number, number]> = [];
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(
      process.execPath,
      [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', IMPORT_CHILD, pathToFileURL(file).href],
      { encoding: 'utf8', env: {}, timeout: 60_000 },
    );
    runs.push(JSON.parse(out.trim()) as [number, number]);
  }
  return { wall: median(runs.map((r) => r[0])), cpu: median(runs.map((r) => r[1])) };
}

/**
 * Bundles every function as the stack does and logs, one line per function, its size,
 * gzipped size, share of the Lambda limit, and cold import time.
 */
export async function benchFunctions(log: (line: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sinew-bench-functions-'));
  const line = (label: string, value: string) => log(`${label.padEnd(52)} ${value}`);
  try {
    for (const name of FUNCTION_NAMES) {
      const { outfile, bytes, metafile, buildMs } = await buildFunctionBundle(name, dir);
      const mapBytes = statSync(`${outfile}.map`).size;
      const gzipped = gzipSync(readFileSync(outfile)).length;
      const share = ((bytes + mapBytes) / LAMBDA_UNZIPPED_LIMIT) * 100;
      line(
        `${name}: bundle (esbuild ${buildMs.toFixed(0)} ms)`,
        `${kb(bytes)} (gzip ${kb(gzipped)}), + map ${kb(mapBytes)}: ${share.toFixed(2)}% of the 250 MB unzipped limit; ` +
          (bytes < BUNDLE_LIMIT_BYTES ? `under ${kb(BUNDLE_LIMIT_BYTES)}` : `OVER ${kb(BUNDLE_LIMIT_BYTES)}`),
      );
      line(`${name}: five largest inputs`, largestInputs(metafile).map((i) => `${i.owner} ${kb(i.bytes)}`).join(', '));
      const plain = coldImportMs(outfile, false);
      const mapped = coldImportMs(outfile, true);
      line(
        `${name}: cold import (median of ${RUNS})`,
        `${plain.wall.toFixed(0)} ms (CPU ${plain.cpu.toFixed(0)} ms), ${mapped.wall.toFixed(0)} ms (CPU ${mapped.cpu.toFixed(0)} ms) with --enable-source-maps`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`Sinew Lambda bundles (node ${process.version}; Lambda runs Node.js 24 on arm64)`);
  await benchFunctions((l) => console.log(l));
}
