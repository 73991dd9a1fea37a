/**
 * `npm run bench`: the figures DESIGN section 7 asks for, printed (never asserted as
 * timed tests). Environment knobs: BENCH_MBOX_MB (default 1024), BENCH_STORE_MB
 * (default 50), BENCH_SKIP_MBOX=1 to skip the file benches; BENCH_SKIP_BRIEF=1 to skip
 * the meeting brief's (bench/brief.ts reads the whole mbox into memory); BENCH_SYNC_SCALE and
 * BENCH_SYNC_MESSAGES for the Google sync bench (bench/sync-google.ts).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBigMbox } from '#lib/local/demo/big-mbox.ts';
import { syntheticExtraction } from '#test/support/synthetic.ts';
import { computeHealth } from '#lib/health/index.ts';
import { defaultSettings } from '#lib/settings.ts';
import { openLocalStore } from '#lib/local/store.ts';
import { writeDemoFiles } from '#lib/local/demo/index.ts';
import { readMbox } from '#lib/providers/files/mbox.ts';
import { ingest } from '#lib/sync/ingest.ts';
import { buildUserReport } from '#lib/report/build.ts';
import { importFiles } from '#lib/sync/import-files.ts';
import { renderReport } from '#lib/report/index.ts';
import { linkUrl, signLink, type LinkAction } from '#lib/links/token.ts';
import { benchGoogleSync } from './sync-google.ts';
import { benchMicrosoftSync } from './sync-microsoft.ts';
import { benchFunctions } from './functions.ts';
import { benchHostileFiles } from './hostile-files.ts';
import { benchTeam } from './team.ts';
import { benchBrief } from './brief.ts';
import { renderBrief } from '#lib/brief/render.ts';
import { briefLinksFor } from '#lib/links/brief-links.ts';

const line = (label: string, value: string) => console.log(`${label.padEnd(52)} ${value}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const asOf = new Date('2026-11-23T07:00:00Z');

function importChild(file: string, mode: 'parse' | 'store') {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/import-mbox.ts', file, mode], {
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as { messages: number; bytes: number; seconds: number; maxRssMb: number };
}

async function benchMbox(dir: string): Promise<void> {
  const mb = Number(process.env.BENCH_MBOX_MB ?? 1024);
  const file = join(dir, 'big.mbox');
  const t = performance.now();
  const big = await writeBigMbox(file, mb * 1024 * 1024, 7);
  line(`generated mbox`, `${(big.bytes / 1e6).toFixed(0)} MB, ${big.messages} messages in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const parse = importChild(file, 'parse');
  line('mbox read (stream -> MailItem)', `${Math.round(parse.messages / parse.seconds)} msg/s, ${(parse.bytes / 1e6 / parse.seconds).toFixed(1)} MB/s, peak RSS ${parse.maxRssMb.toFixed(0)} MB`);

  const storeMb = Number(process.env.BENCH_STORE_MB ?? 50);
  const small = join(dir, 'store.mbox');
  await writeBigMbox(small, storeMb * 1024 * 1024, 11);
  const stored = importChild(small, 'store');
  line(`import into embedded DynamoDB (${storeMb} MB mbox)`, `${Math.round(stored.messages / stored.seconds)} msg/s, peak RSS ${stored.maxRssMb.toFixed(0)} MB`);
}

function benchHealth(): void {
  const times = new Map<number, number>();
  for (const n of [100_000, 1_000_000]) {
    const extraction = syntheticExtraction(n, 42, asOf);
    computeHealth(extraction, { asOf, settings: defaultSettings }); // warm-up
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      computeHealth(extraction, { asOf, settings: defaultSettings });
      runs.push(performance.now() - t);
    }
    times.set(n, median(runs));
    line(`health, ${n.toLocaleString('en')} interactions (median of 3)`, `${median(runs).toFixed(0)} ms${n === 1_000_000 ? ` (target < 2000 ms: ${(median(runs) / 2000).toFixed(2)} of it)` : ''}`);
  }
  line('health growth 1M / 100k (10 = linear)', (times.get(1_000_000)! / times.get(100_000)!).toFixed(1));
}

async function benchStoreAndReport(dir: string): Promise<void> {
  const local = await openLocalStore({ tableName: 'bench' });
  try {
    const demo = await writeDemoFiles(join(dir, 'demo'), { asOf });
    const file = join(dir, 'read.mbox');
    await writeBigMbox(file, 20 * 1024 * 1024, 3);
    const w = await ingest(local.store, 'reader', readMbox(file, { accountId: 'a' }));
    let t = performance.now();
    let n = 0;
    for await (const item of local.store.queryItems('reader')) if (item) n += 1;
    const s = (performance.now() - t) / 1000;
    line(`store read, one user's ${w.read} items (Query)`, `${Math.round(n / s)} items/s`);

    const imported = await importFiles(local.store, {
      mbox: [demo.mboxPath], ics: [demo.icsPath], me: demo.me, internalDomains: [], timeZone: 'Europe/London',
      now: asOf,
    });
    t = performance.now();
    const { json } = await buildUserReport(local.store, imported.userId, { asOf, settings: defaultSettings });
    line('demo report from the store (query + derive)', `${(performance.now() - t).toFixed(0)} ms`);
    // The busy week as users get it: last week's report for the change, signed links.
    const previous = (await buildUserReport(local.store, imported.userId, { asOf: new Date(asOf.getTime() - 7 * 86_400_000), settings: defaultSettings })).json;
    const secret = new Uint8Array(32).fill(1);
    const signed = (action: LinkAction, contact?: string) =>
      linkUrl('https://sinew.example', signLink(secret, { action, userId: imported.userId, ...(contact ? { contact } : {}) }, { now: asOf.getTime() }));
    const links = {
      pause: signed('pause'), unsubscribe: signed('unsubscribe'), disconnect: signed('disconnect'),
      contactAction: (contact: string, action: LinkAction) => signed(action, contact),
    };
    const render = () => renderReport(json, { timeZone: 'Europe/London', previous, links });
    const first = await render(); // warm-up (MJML import)
    const runs: number[] = [];
    for (let i = 0; i < 20; i++) {
      t = performance.now();
      await render();
      runs.push(performance.now() - t);
    }
    line('report render, busy demo week, HTML + text', `${median(runs).toFixed(1)} ms per report, median of 20 (target < 200 ms: ${(median(runs) / 200).toFixed(2)} of it)`);
    line('report HTML size, busy demo week', `${(Buffer.byteLength(first.html) / 1024).toFixed(1)} KB (Gmail clips at 102 KB)`);
  } finally {
    await local.close();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'sinew-bench-'));
try {
  console.log(`Sinew bench (node ${process.version})`);
  if (process.env.BENCH_SKIP_MBOX !== '1') await benchMbox(dir);
  benchHealth();
  await benchStoreAndReport(dir);
  if (process.env.BENCH_SKIP_TEAM !== '1') {
    console.log('Team view (issue 13: one report, team on vs off, in a firm of BENCH_TEAM_SHARERS sharers)');
    await benchTeam(line);
  }
  if (process.env.BENCH_SKIP_BRIEF !== '1') {
    console.log('Meeting brief (issue 12: ten meetings of five external attendees, over the 1 GB mbox held in memory)');
    // Rendered as the worker sends it: signed links for every attendee (HMAC each), HTML and text.
    const secret = Buffer.alloc(32, 1);
    const renderCpu: number[] = [];
    let renderedBytes = 0;
    await benchBrief(dir, line, async (brief) => {
      const c = process.cpuUsage();
      const email = renderBrief(brief, { links: briefLinksFor({ baseUrl: 'https://sinew.example', secret, userId: 'bench-user', now: asOf }) });
      const used = process.cpuUsage(c);
      renderCpu.push((used.user + used.system) / 1000);
      renderedBytes = Buffer.byteLength(email.html);
      return email;
    });
    line('  brief render CPU, and its HTML', `${median(renderCpu).toFixed(1)} ms CPU (median of ${renderCpu.length}), ${(renderedBytes / 1024).toFixed(0)} KB of HTML`);
  }
  console.log('Lambda functions (esbuild bundles as the stack builds them; Lambda runs Node.js 24 on arm64)');
  await benchFunctions((l) => console.log(l));
  console.log('Google sync (emulator, real clock, quota window and latency scaled; DESIGN 7)');
  await benchGoogleSync(line);
  console.log('Microsoft 365 sync (Graph emulator, real clock, throttling window and latency scaled; DESIGN 7)');
  await benchMicrosoftSync(line);
  if (process.env.BENCH_SKIP_HOSTILE !== '1') await benchHostileFiles();
} finally {
  await rm(dir, { recursive: true, force: true });
}
