/**
 * The meeting brief's compute time (issue 12, DESIGN sections 7 and 9): a day of ten
 * meetings with five external attendees each, over every item of the 1 GB benchmark
 * mailbox (`writeBigMbox`, the same generator and seed as the mbox bench), held in memory
 * as a Query of the person's partition would return them. The store read itself is the
 * "store read" line's figure (items per second), measured apart.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { computeBrief, type BriefInput } from '#lib/brief/compute.ts';
import { relevantItems } from '#lib/brief/relevant.ts';
import type { BriefJson } from '#lib/brief/schema.ts';
import { localDate } from '#lib/brief/day.ts';
import { accountOf } from '#lib/health/accounts.ts';
import type { Item, MeetingItem } from '#lib/items/types.ts';
import { writeBigMbox } from '#lib/local/demo/big-mbox.ts';
import { readMbox } from '#lib/providers/files/mbox.ts';
import { HISTORY_DAYS, defaultSettings } from '#lib/settings.ts';
import { fromWallClock } from '#lib/time/wall-clock.ts';

const OWNER = 'pat.quinn@enron-bench.com';
const ZONE = 'America/Los_Angeles';
const DAY_MS = 86_400_000;
const MEETINGS = 10;
const ATTENDEES = 5;

/** What the brief bench measured, for a caller that adds the render time. */
export interface BriefBench {
  input: BriefInput;
  brief: BriefJson;
  /** Median compute time in ms. */
  computeMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Prints the brief's compute time; when `render` is given (the brief's HTML and text),
 * also its render time and the sum against the 200 ms target.
 *
 * @param dir where the bench keeps its files (`big.mbox` is reused when the mbox bench made it)
 */
export async function benchBrief(
  dir: string,
  line: (label: string, value: string) => void,
  render?: (brief: BriefJson) => Promise<unknown>,
): Promise<BriefBench> {
  const file = join(dir, 'big.mbox');
  if (!existsSync(file)) await writeBigMbox(file, Number(process.env.BENCH_MBOX_MB ?? 1024) * 1024 * 1024, 7);
  const items: Item[] = [];
  for await (const item of readMbox(file, { accountId: 'bench' })) items.push(item);

  const day = dayAfterLastMail(items);
  const attendees = busiestExternalContacts(items, day.asOf, MEETINGS * ATTENDEES);
  for (let k = 0; k < MEETINGS; k++) items.push(benchMeeting(day.date, 9 + k, attendees.slice(k * ATTENDEES, (k + 1) * ATTENDEES), k));

  const input: BriefInput = {
    items,
    user: { email: OWNER, timeZone: ZONE, me: [], internalDomains: [] },
    accounts: [{ address: OWNER, aliases: [], lastSyncAt: new Date(day.asOf - 3_600_000).toISOString() }],
    date: day.date,
    settings: defaultSettings,
  };
  let brief = computeBrief(input); // warm-up
  const runs: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 5; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    brief = computeBrief(input);
    runs.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  const computeMs = median(runs);
  const briefed = brief.meetings.reduce((n, m) => n + m.attendees.length, 0);
  const orgs = new Set(attendees.map(accountOf).filter((a) => !a.includes('@')));
  const relevant = relevantItems(items, new Set(attendees), orgs, { from: day.asOf - HISTORY_DAYS * DAY_MS, to: day.asOf }).length;
  line(
    `brief compute, ${brief.meetings.length} meetings x ${ATTENDEES} external`,
    `${computeMs.toFixed(0)} ms (CPU ${median(cpu).toFixed(0)} ms), median of 5, over ${items.length.toLocaleString('en')} items`,
  );
  line(
    '  items the brief reads (relevantItems)',
    `${relevant.toLocaleString('en')}: held history naming the ${briefed} attendees or their ${orgs.size} organizations`,
  );
  if (render) {
    await render(brief); // warm-up
    const renders: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await render(brief);
      renders.push(performance.now() - t);
    }
    const renderMs = median(renders);
    line('brief render, HTML + text', `${renderMs.toFixed(1)} ms, median of 5`);
    line('brief compute + render', `${(computeMs + renderMs).toFixed(0)} ms (target < 200 ms: ${((computeMs + renderMs) / 200).toFixed(2)} of it)`);
  } else {
    line('brief compute against its target', `${(computeMs / 200).toFixed(2)} of the 200 ms target for compute + render`);
  }
  return { input, brief, computeMs };
}

/** The mailbox owner's next local day after its last message, as of 07:00 local. */
function dayAfterLastMail(items: readonly Item[]): { date: string; asOf: number } {
  let last = 0;
  for (const item of items) if (item.kind === 'mail') last = Math.max(last, Date.parse(item.at));
  const date = localDate(new Date(last + DAY_MS), ZONE);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return { date, asOf: fromWallClock(ZONE, y, m, d, 7, 0).getTime() };
}

/** The `n` external contacts with the most messages in the held history: the people one meets. */
function busiestExternalContacts(items: readonly Item[], asOf: number, n: number): string[] {
  const counts = new Map<string, number>();
  const heldFrom = asOf - HISTORY_DAYS * DAY_MS;
  const count = (a: string | null) => {
    if (a && a !== OWNER && !a.endsWith('@enron-bench.com')) counts.set(a, (counts.get(a) ?? 0) + 1);
  };
  for (const item of items) {
    if (item.kind !== 'mail' || Date.parse(item.at) < heldFrom) continue;
    count(item.from);
    for (const a of item.to) count(a);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([a]) => a);
}

function benchMeeting(date: string, hour: number, attendees: string[], k: number): MeetingItem {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const start = fromWallClock(ZONE, y, m, d, hour, 0);
  return {
    kind: 'meeting', accountId: 'bench-calendar', source: 'ics', providerId: `brief-bench-${k}`, occurrenceKey: `brief-bench-${k}`,
    start: start.toISOString(), end: new Date(start.getTime() + 30 * 60_000).toISOString(), status: 'confirmed', organizer: OWNER,
    attendees: [{ address: OWNER, response: 'accepted' }, ...attendees.map((address) => ({ address, response: 'accepted' as const }))],
  };
}
