/**
 * `npm run bench:brief`: the meeting brief's lines of `npm run bench` alone (bench/brief.ts),
 * rendered as the worker sends it (signed links, HTML and text). The 1 GB mbox is written
 * to `BENCH_DIR` (default a temporary folder, removed after) or reused from there.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderBrief } from '#lib/brief/render.ts';
import { briefLinksFor } from '#lib/links/brief-links.ts';
import { benchBrief } from './brief.ts';

const line = (label: string, value: string) => console.log(`${label.padEnd(52)} ${value}`);
const dir = process.env.BENCH_DIR ?? (await mkdtemp(join(tmpdir(), 'sinew-bench-brief-')));
const secret = Buffer.alloc(32, 1);
const now = new Date('2026-11-23T07:00:00Z');
try {
  console.log('Meeting brief (issue 12: ten meetings of five external attendees, over the 1 GB mbox held in memory)');
  await benchBrief(dir, line, async (brief) =>
    renderBrief(brief, { links: briefLinksFor({ baseUrl: 'https://sinew.example', secret, userId: 'bench-user', now }) }));
} finally {
  if (process.env.BENCH_DIR === undefined) await rm(dir, { recursive: true, force: true });
}
