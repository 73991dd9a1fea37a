/**
 * Child process of the bench: imports one mbox and prints a JSON line with the figures,
 * so that peak memory (maxRSS) belongs to the import alone.
 * Usage: tsx bench/import-mbox.ts FILE parse|store
 */
import { readMbox } from '#lib/providers/files/mbox.ts';
import { openLocalStore } from '#lib/local/store.ts';
import { ingest } from '#lib/sync/ingest.ts';

const [file, mode] = process.argv.slice(2);
if (!file || (mode !== 'parse' && mode !== 'store')) {
  process.stderr.write('usage: tsx bench/import-mbox.ts FILE parse|store\n');
  process.exit(2);
}
const started = performance.now();
let messages = 0;
let bytes = 0;
const source = readMbox(file, { accountId: 'bench', onProgress: (done) => (bytes = done) });
if (mode === 'parse') {
  for await (const item of source) if (item) messages += 1;
} else {
  const local = await openLocalStore({ tableName: 'bench' });
  const r = await ingest(local.store, 'bench-user', source);
  messages = r.read;
  await local.close();
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ messages, bytes, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
