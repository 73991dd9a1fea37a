/**
 * Hostile input files through `sinew import` (issue 10: each must import its good
 * messages and events, report what it skipped in one line, stay under 500 MB peak memory
 * and finish in under 30 s). Each file is imported by a child process running the CLI's
 * `main` into a fresh on-disk store, as a person would; the child reports its own peak
 * RSS (`process.resourceUsage().maxRSS`) and the parent times it, wall clock.
 *
 * Alone: `npx tsx bench/hostile-files.ts` (exit 1 when a file misses a limit); also part
 * of `npm run bench` (BENCH_SKIP_HOSTILE=1 leaves it out). Knobs: BENCH_BOMB_GIB (default
 * 2), BENCH_LINE_MIB (default 32).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  brokenDates, dailySeries, gzipBomb, HOSTILE_ME, HOSTILE_NOW, invalidUtf8Ics, invalidUtf8Mbox, manyRecipients, oversizedHeaderLine,
  secondlySeries, truncatedGzip, truncatedMbox, type HostileFile,
} from '#test/providers/files/hostile-files.ts';

const LIMIT_SECONDS = 30;
const LIMIT_RSS_MB = 500;
const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface ChildRun {
  code: number;
  seconds: number;
  maxRssMb: number;
  stdout: string;
  stderr: string;
}

/** Runs `sinew import` on one file in a child process: wall time here, peak RSS there. */
function importInChild(h: HostileFile, data: string): Promise<ChildRun> {
  const args = ['--data', data, 'import', h.kind === 'mbox' ? '--mbox' : '--ics', h.file, '--me', HOSTILE_ME, '--as-of', HOSTILE_NOW.toISOString()];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--child', ...args], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const report = /^rss (\d+)$/m.exec(stderr);
      resolve({ code: code ?? 1, seconds, maxRssMb: report ? Number(report[1]) / 1024 : Number.NaN, stdout, stderr: stderr.replace(/^rss \d+\n?/m, '') });
    });
  });
}

/** The hostile files at bench sizes. */
async function hostileFiles(dir: string): Promise<HostileFile[]> {
  const bombGib = Number(process.env.BENCH_BOMB_GIB ?? 2);
  const lineMib = Number(process.env.BENCH_LINE_MIB ?? 32);
  return [
    await oversizedHeaderLine(dir, lineMib << 20),
    await manyRecipients(dir),
    { ...(await manyRecipients(dir, { messages: 2000, at: 1000, name: 'crowd-2000.mbox' })), name: '2,000 messages, 100,000 recipients at #1000' },
    await gzipBomb(dir, bombGib * 2 ** 30),
    await truncatedMbox(dir),
    await truncatedGzip(dir),
    await invalidUtf8Mbox(dir),
    await dailySeries(dir, 200),
    await secondlySeries(dir, 560 * 1024),
    await brokenDates(dir),
    await invalidUtf8Ics(dir),
  ];
}

/** Prints one table row per hostile file; returns whether every one met both limits. */
export async function benchHostileFiles(print: (line: string) => void = console.log): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'sinew-hostile-'));
  try {
    print('Hostile input files through sinew import, one child process each (issue 10)');
    const started = performance.now();
    const files = await hostileFiles(dir);
    print(`hostile files generated in ${((performance.now() - started) / 1000).toFixed(1)} s; limits ${LIMIT_SECONDS} s and ${LIMIT_RSS_MB} MB peak RSS`);
    print(`${'file'.padEnd(46)} ${'on disk'.padStart(9)} ${'wall'.padStart(7)} ${'/30 s'.padStart(6)} ${'peak RSS'.padStart(9)} ${'/500 MB'.padStart(7)}  imported; skipped`);
    let ok = true;
    for (const [i, h] of files.entries()) {
      const r = await importInChild(h, join(dir, `store-${i}`));
      const size = (await stat(h.file)).size;
      const [imported = '', skipped = ''] = r.stdout.trim().split('\n');
      const met = r.code === 0 && r.seconds < LIMIT_SECONDS && r.maxRssMb < LIMIT_RSS_MB;
      ok &&= met;
      print(
        `${h.name.slice(0, 46).padEnd(46)} ${bytes(size).padStart(9)} ${`${r.seconds.toFixed(1)} s`.padStart(7)} ${(r.seconds / LIMIT_SECONDS).toFixed(2).padStart(6)} ` +
          `${`${r.maxRssMb.toFixed(0)} MB`.padStart(9)} ${(r.maxRssMb / LIMIT_RSS_MB).toFixed(2).padStart(7)}  ` +
          `${r.code === 0 ? `${short(imported)}; ${skipped ? short(skipped, 140) : 'nothing skipped'}` : `exit ${r.code}: ${r.stderr.trim().split('\n').at(-1)}`}`,
      );
    }
    return ok;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function bytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${(n / 1024).toFixed(0)} KB`;
}

function short(text: string, max = 90): string {
  const s = text.replace(/^imported /, '');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

if (process.argv[2] === '--child') {
  // The child: the CLI's own entry (what bin/sinew.js runs), then its peak memory.
  const { main } = await import('#lib/cli/main.ts');
  const code = await main(['node', 'sinew', ...process.argv.slice(3)]);
  process.stderr.write(`rss ${process.resourceUsage().maxRSS}\n`);
  process.exitCode = code;
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ok = await benchHostileFiles();
  if (!ok) process.exitCode = 1;
}
