/**
 * Manual sanity check of computeHealth's speed (not a test: timings vary by machine).
 * Run: `node --expose-gc --import tsx test/health/measure.ts 1000000` (default 100,000
 * interactions); with `--expose-gc` each run starts after a collection, so the
 * generator's garbage is not billed to computeHealth.
 * Prints generation and health times (wall and CPU: other work on the machine inflates wall time) and a few output sizes.
 */
import { performance } from 'node:perf_hooks';
import { computeHealth } from '#lib/health/index.ts';
import { syntheticExtraction } from '#test/support/synthetic.ts';
import { defaultSettings } from '#lib/settings.ts';

const n = Number(process.argv[2] ?? 100_000);
const asOf = new Date('2026-11-23T07:00:00.000Z');
let t = performance.now();
const extraction = syntheticExtraction(n, 42, asOf);
console.log(`generated ${n} interactions in ${(performance.now() - t).toFixed(0)} ms`);
for (let run = 1; run <= 3; run++) {
  (globalThis as { gc?: () => void }).gc?.();
  t = performance.now();
  const cpu = process.cpuUsage();
  const result = computeHealth(extraction, { asOf, settings: defaultSettings });
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  console.log(
    `run ${run}: computeHealth ${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU; contacts ${result.contacts.length}, fading ${result.fading.length}, ` +
      `owed ${result.owedReplies.length}, awaiting ${result.awaitingReply.length}, noFaceTime ${result.noFaceTime.length}, ` +
      `accounts ${result.accounts.length}`,
  );
}
