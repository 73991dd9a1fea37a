/**
 * The Microsoft 365 sync figures (DESIGN section 7) against our https Graph emulator
 * (test/support/microsoft), through the real Graph client, GraphMailSource and
 * GraphCalendarSource, on the real clock. Graph's 100 ms latency and its 10-minute
 * throttling window are both divided by BENCH_MS_SCALE, and times are converted back to
 * unscaled time; the emulator runs in this process, so its own CPU time is scaled up
 * with the rest, which makes the rate printed a lower bound. Knobs: BENCH_MS_SCALE
 * (default 10), BENCH_MS_MESSAGES (default 20,000).
 */
import { graphClient } from '#lib/providers/microsoft/graph-client.ts';
import { GraphCalendarSource } from '#lib/providers/microsoft/calendar.ts';
import { GraphMailSource, type GraphMailSourceOptions } from '#lib/providers/microsoft/mail.ts';
import type { SourcePage } from '#lib/providers/types.ts';
import { systemClock } from '#lib/time/clock.ts';
import { createGraphPacer, GRAPH_MAILBOX_LIMITS } from '#lib/providers/microsoft/pacer.ts';
import { GraphCalendar } from '#test/support/microsoft/graph-calendar.ts';
import { graphMailHandler } from '#test/support/microsoft/graph-mail.ts';
import { buildGraphMailbox } from '#test/support/microsoft/graph-mail-fixture.ts';
import { startMicrosoftEmulator, type MicrosoftEmulator } from '#test/support/microsoft/server.ts';

/** Graph's latency the issue asks to bench with, before scaling. */
const LATENCY_MS = 100;
const DAY_MS = 86_400_000;

async function drain(source: { pages(cursor: string | undefined): AsyncIterable<SourcePage> }, cursor: string | undefined): Promise<SourcePage[]> {
  const pages: SourcePage[] = [];
  for await (const page of source.pages(cursor)) pages.push(page);
  return pages;
}

/** A small calendar around now: a weekly series and one-off meetings. */
function benchCalendar(now: number): GraphCalendar {
  const cal = new GraphCalendar();
  const day = (d: number, h: number): string => new Date(Math.floor(now / DAY_MS + d) * DAY_MS + h * 3_600_000).toISOString();
  cal.add({
    uid: 'weekly@bench.example', start: day(-140, 15), end: day(-140, 15.5), organizer: 'me@example.com', isOrganizer: true,
    recurrence: { everyDays: 7, count: 30 },
    attendees: [{ address: 'me@example.com', response: 'organizer' }, { address: 'ann@acme.example', response: 'accepted' }],
  });
  for (let i = 0; i < 40; i++) {
    cal.add({
      uid: `oneoff${i}@bench.example`, start: day(-300 + i * 9, 10), end: day(-300 + i * 9, 11), organizer: `c${i % 9}@partner.example`,
      attendees: [{ address: 'me@example.com', response: 'accepted' }, { address: `c${i % 9}@partner.example`, response: 'organizer' }],
    });
  }
  return cal;
}

interface Backfill {
  items: number;
  duplicates: number;
  /** Graph requests: HTTP requests, `$batch` parts counted one each (as Graph throttles them). */
  graphRequests: number;
  httpRequests: number;
  throttled: number;
  elapsedMs: number;
  /** Idle incremental requests by resource (folder path or calendar). */
  idle: Map<string, number>;
}

/** Backfills a seeded mailbox and its calendar, then runs one idle incremental pass. */
async function backfill(opts: { messages: number; scale: number; headers: GraphMailSourceOptions['headers']; headersInDelta: boolean }): Promise<Backfill> {
  const now = systemClock.now();
  const windowMs = GRAPH_MAILBOX_LIMITS.windowMs / opts.scale;
  const mailbox = buildGraphMailbox({ messages: opts.messages, seed: 7, asOf: now });
  const calendar = benchCalendar(now);
  const emulator: MicrosoftEmulator = await startMicrosoftEmulator({
    latencyMs: LATENCY_MS / opts.scale,
    throttle: { windowMs },
    handlers: [graphMailHandler(mailbox, { headersInDelta: opts.headersInDelta }), calendar.handler],
  });
  try {
    const client = graphClient({ baseUrl: emulator.graphUrl, ca: emulator.ca, getAccessToken: async () => 'bench-token' });
    const pacer = createGraphPacer({ clock: systemClock, windowMs });
    const mail = new GraphMailSource({ client, accountId: 'bench', pacer, clock: systemClock, headers: opts.headers });
    const cal = new GraphCalendarSource({ client, accountId: 'bench', pacer, asOf: new Date(now) });

    const start = systemClock.now();
    const mailPages = await drain(mail, undefined);
    const elapsedMs = systemClock.now() - start;
    const calPages = await drain(cal, undefined);
    const ids = new Set<string>();
    let returned = 0;
    for (const page of mailPages) {
      for (const item of page.items) {
        ids.add(item.providerId);
        returned++;
      }
    }
    const graphRequests = emulator.requests.filter((r) => r.path.startsWith('/v1.0/') && !r.path.endsWith('$batch')).length;
    const httpRequests = emulator.requests.filter((r) => r.batch === undefined).length;
    const throttled = emulator.requests.filter((r) => r.status === 429).length;
    // Idle incremental, each source from its final cursor.
    const before = emulator.requests.length;
    const idlePages = [...(await drain(mail, mailPages.at(-1)!.cursor)), ...(await drain(cal, calPages.at(-1)!.cursor))];
    if (idlePages.some((p) => p.items.length > 0)) throw new Error('bench: an idle Graph incremental sync returned items');
    const idle = new Map<string, number>();
    for (const r of emulator.requests.slice(before)) {
      const folder = /\/mailFolders\/([^/]+)\/messages\/delta$/.exec(r.path)?.[1];
      const key = folder !== undefined
        ? `mail folder ${mailbox.folder(decodeURIComponent(folder))?.wellKnown ?? decodeURIComponent(folder)}`
        : r.path.replace(/^\/v1\.0\/me\//, '').replace(/\/delta$/, '');
      idle.set(key, (idle.get(key) ?? 0) + 1);
    }
    return { items: ids.size, duplicates: returned - ids.size, graphRequests, httpRequests, throttled, elapsedMs, idle };
  } finally {
    await emulator.close();
  }
}

const n = (x: number): string => x.toLocaleString('en');

/**
 * Prints the Microsoft 365 sync figures: a backfill of BENCH_MS_MESSAGES messages with
 * headers in the delta pages (messages per second, unscaled; requests per 1,000
 * messages), the same with headers read by `$batch` (a server that leaves them out of
 * delta) on a smaller mailbox, and the requests of an idle incremental sync per resource.
 */
export async function benchMicrosoftSync(print: (label: string, value: string) => void): Promise<void> {
  const scale = Number(process.env.BENCH_MS_SCALE ?? 10);
  const messages = Number(process.env.BENCH_MS_MESSAGES ?? 20_000);
  if (!(scale >= 1) || !(messages >= 1)) throw new Error('bench: BENCH_MS_SCALE and BENCH_MS_MESSAGES must be at least 1');
  print('scale (throttling window and latency divided by)', `${scale}: ${GRAPH_MAILBOX_LIMITS.windowMs / scale} ms window, ${(LATENCY_MS / scale).toFixed(1)} ms latency`);

  const main = await backfill({ messages, scale, headers: 'auto', headersInDelta: true });
  const unscaledS = (main.elapsedMs * scale) / 1000;
  print(
    `graph backfill, ${n(messages)} messages, headers in delta`,
    `${(main.items / unscaledS).toFixed(0)} msg/s (${n(main.items)} in 400 days, ${unscaledS.toFixed(1)} s unscaled, ${(main.elapsedMs / 1000).toFixed(1)} s real)`,
  );
  print(
    '  requests per 1,000 messages',
    `${((main.graphRequests / main.items) * 1000).toFixed(2)} (${main.graphRequests} Graph requests, ${main.throttled} throttled, ${main.duplicates} duplicates)`,
  );

  const small = Math.min(messages, 4_000);
  const batch = await backfill({ messages: small, scale, headers: 'auto', headersInDelta: false });
  const batchS = (batch.elapsedMs * scale) / 1000;
  print(
    `graph backfill, ${n(small)} messages, headers by $batch`,
    `${(batch.items / batchS).toFixed(0)} msg/s; ${((batch.graphRequests / batch.items) * 1000).toFixed(1)} Graph requests ` +
      `(${((batch.httpRequests / batch.items) * 1000).toFixed(1)} HTTP) per 1,000 messages, ${batch.throttled} throttled`,
  );

  const idle = [...main.idle.entries()].sort(([a], [b]) => a.localeCompare(b));
  const total = idle.reduce((k, [, v]) => k + v, 0);
  print('idle incremental sync, Graph (requests per resource)', `${total} in all (target 1 per resource)`);
  for (const [resource, count] of idle) print(`  ${resource}`, `${count}`);
}
