import type { Item, MailItem, MeetingItem } from '#lib/items/types.ts';
import type { ChangeSource, SourcePage } from '#lib/providers/types.ts';
import type { Clock } from '#lib/time/clock.ts';
import { GMAIL, GRAPH } from './limits.ts';
import { arrivedBy, meetingsBy, type Mailbox } from './mailboxes.ts';
import type { AppQuota } from './meters.ts';
import { PAGE_RANGES } from './store.ts';

/**
 * Provider models as change sources, at page granularity: each yields the pages the real
 * source would (Gmail `messages.list` pages of 500, Graph delta pages of 1,000 per folder
 * with up to 4 folders at once, calendar pages), after the time the real pacer would take
 * to fetch them under the mailbox's own limits and its share of the app's.
 *
 * A page's items are `n` references to one placeholder (see PAGE_RANGES in store.ts), or,
 * in item mode (the calibration against the real DynamoDB store), `n` distinct MailItems.
 * Cursors are the models' own JSON: a full pass (`p: 'f'`, how far, out of how many) or
 * an incremental one (`p: 'i'`, how many messages seen), so a continuation resumes
 * exactly where the last checkpoint stood. Message indices: the window's messages first,
 * then new mail in order of arrival, so a ledger that holds `[0, total)` lost nothing.
 */

export interface ProviderModelDeps {
  /** The invocation's clock: a killed invocation never finishes its page. */
  clock: Clock & { onKill?(fn: () => void): () => void; pass?(ms: number): Promise<void> };
  /** The app-wide ceiling these calls count against (Gmail project, Graph app). */
  app: AppQuota;
  /** Materialize distinct items (calibration) instead of placeholders. */
  items?: boolean;
  /** Meeting counts are scaled with the mailbox in the calibration. */
  meetingScale?: number;
  /** Provider calls and units, for the figures. */
  tally: { calls: number; units: number };
}

interface Cursor {
  p: 'f' | 'i';
  /** Full: position per part; incremental: indices seen. */
  n: number[];
  /** Full: size per part of this pass. */
  b?: number[];
}

function readCursor(cursor: string | undefined): Cursor | undefined {
  return cursor ? (JSON.parse(cursor) as Cursor) : undefined;
}

function placeholder(ledger: string, ranges: Array<[number, number]>, accountId: string, source: 'gmail' | 'graph-mail' | 'gcal' | 'graph-calendar'): Item {
  const item = { kind: 'mail', accountId, source, providerId: `${ledger}:${ranges.map((r) => r.join('-')).join(',')}` } as unknown as Item;
  PAGE_RANGES.set(item, { ledger, ranges });
  return item;
}

/** One page's items: placeholders, or distinct items for the item-level run. */
function pageItems(m: Mailbox, resource: 'mail' | 'calendar', ranges: Array<[number, number]>, deps: ProviderModelDeps, at: number): Item[] {
  const n = ranges.reduce((s, [a, b]) => s + (b - a), 0);
  if (n === 0) return [];
  const source = m.provider === 'google' ? (resource === 'mail' ? 'gmail' : 'gcal') : resource === 'mail' ? 'graph-mail' : 'graph-calendar';
  if (!deps.items) {
    const one = placeholder(`${m.accountId}/${resource}`, ranges, m.accountId, source);
    return new Array<Item>(n).fill(one);
  }
  const out: Item[] = [];
  for (const [a, b] of ranges) for (let i = a; i < b; i++) out.push(resource === 'mail' ? mailItem(m, i, source, at) : meetingItem(m, i, source, at));
  // The model store beside the real one reads the page's ranges from its first item.
  PAGE_RANGES.set(out[0]!, { ledger: `${m.accountId}/${resource}`, ranges });
  return out;
}

function mailItem(m: Mailbox, i: number, source: MailItem['source'], at: number): MailItem {
  // Spread over the window, newest first; a few correspondents per mailbox.
  const t = new Date(at - ((i * 7919) % 397) * 86_400_000 - (i % 86_400) * 1000).toISOString();
  return {
    kind: 'mail',
    accountId: m.accountId,
    source,
    providerId: `msg${i}`,
    messageId: `${m.accountId}.${i}@fleet.example`,
    threadId: `t${Math.floor(i / 3)}`,
    at: t,
    from: i % 3 === 0 ? `${m.userId}@fleet.example` : `c${i % 40}@partner.example`,
    to: i % 3 === 0 ? [`c${i % 40}@partner.example`] : [`${m.userId}@fleet.example`],
    cc: [],
    bcc: [],
    names: {},
    replyTo: [],
    subjectHash: null,
    labels: i % 3 === 0 ? ['SENT'] : ['INBOX'],
    bulkSignals: [],
  };
}

function meetingItem(m: Mailbox, i: number, source: MeetingItem['source'], at: number): MeetingItem {
  const start = at - ((i * 104_729) % 397) * 86_400_000;
  return {
    kind: 'meeting',
    accountId: m.accountId,
    source,
    providerId: `ev${i}`,
    occurrenceKey: `${m.accountId}-ev${i}`,
    start: new Date(start).toISOString(),
    end: new Date(start + 1_800_000).toISOString(),
    status: 'confirmed',
    organizer: `${m.userId}@fleet.example`,
    attendees: [{ address: `c${i % 40}@partner.example`, response: 'accepted' }],
  };
}

function page(items: Item[], cursor: Cursor, done: boolean): SourcePage {
  return { items, removed: [], cursor: JSON.stringify(cursor), done };
}

const perMs = (perMinute: number) => perMinute / 60_000;

/**
 * Gmail (resource `gmail`): a full pass lists 500 messages a page newest first and fetches
 * their metadata at GMAIL.unitsPerMessage units each (threads.get where cheaper), paced at
 * 95% of the user's 6,000 units a minute and no faster than the user's share of the
 * project's 1,200,000; then history.list (2 units) and a messages.get (20) per new message.
 */
export class GmailModel implements ChangeSource {
  readonly resource = 'gmail';
  constructor(
    private readonly m: Mailbox,
    private readonly deps: ProviderModelDeps,
  ) {}

  async *pages(cursor: string | undefined): AsyncGenerator<SourcePage> {
    const { clock } = this.deps;
    let c = readCursor(cursor);
    if (c?.p === 'i') {
      // history.list pages of 500 records (one per new message), each message fetched on its own.
      // The real cursor keeps the start history id and a page token until the last page.
      const total = this.m.messages + arrivedBy(this.m, clock.now());
      yield* onePartPass(this.m, 'mail', this.deps, 'i', c.n[0]!, total, GMAIL.historyPage, (k) =>
        this.spend(GMAIL.historyListUnits + k * GMAIL.messageGetUnits, 1 + k));
      return;
    }
    if (!c) {
      // getProfile: the history id the incremental sync starts from.
      await this.spend(1, 1);
      c = { p: 'f', n: [0], b: [this.m.messages + arrivedBy(this.m, clock.now())] };
    }
    yield* onePartPass(this.m, 'mail', this.deps, 'f', c.n[0]!, c.b![0]!, GMAIL.listPage, (k) =>
      this.spend(k * GMAIL.unitsPerMessage, Math.ceil(k * GMAIL.requestsPerMessage)));
  }

  /** Spends `units` at the user's paced rate, slowed to its share of the project's. */
  private async spend(units: number, calls: number): Promise<void> {
    const { clock, app, tally } = this.deps;
    tally.calls += calls;
    tally.units += units;
    const userRate = perMs(GMAIL.userUnitsPerMin * GMAIL.utilization);
    const now = clock.now();
    const rate = app.begin(now, userRate);
    const ms = GMAIL.callMs + units / rate;
    // Killed mid-page: the units spent so far are spent, and the demand ends.
    const dispose = clock.onKill?.(() => app.end(clock.now(), userRate, Math.min(units, (clock.now() - now) * rate)));
    await pass(clock, ms);
    dispose?.();
    app.end(clock.now(), userRate, units);
  }
}

/**
 * A calendar at page granularity, one call a page: Google Calendar (resource
 * `gcal:primary`, pages of 250 occurrences, one unit each call) or the Graph calendar view
 * delta (`graph:calendar`, pages of 100 events).
 */
export class CalendarModel implements ChangeSource {
  constructor(
    readonly resource: 'gcal:primary' | 'graph:calendar',
    private readonly m: Mailbox,
    private readonly deps: ProviderModelDeps,
  ) {}

  async *pages(cursor: string | undefined): AsyncGenerator<SourcePage> {
    const [pageSize, callMs] = this.resource === 'gcal:primary' ? [GMAIL.calendarPage, GMAIL.calendarCallMs] : [GRAPH.calendarPage, GRAPH.calendarCallMs];
    const { clock, tally } = this.deps;
    const c = readCursor(cursor);
    const total = this.m.meetings + meetingsBy(this.m, clock.now(), this.deps.meetingScale ?? 1);
    const cost = async () => {
      tally.calls++;
      await pass(clock, callMs);
    };
    yield* onePartPass(this.m, 'calendar', this.deps, c?.p === 'i' ? 'i' : 'f', c?.n[0] ?? 0, c?.p === 'f' ? c.b![0]! : total, pageSize, cost);
  }
}

/** A short call: summed into the next wait on an invocation's clock. */
function pass(clock: ProviderModelDeps['clock'], ms: number): Promise<void> {
  return clock.pass ? clock.pass(ms) : clock.sleep(ms);
}

/**
 * One pass over a single run of indices, `[pos, end)` in pages of `size`, each page's
 * `cost` paid before its items are read: a full pass's cursor carries its size until the
 * last page, an incremental one counts the indices seen; both end on an incremental
 * cursor at `end`, so the next pass is incremental.
 */
async function* onePartPass(
  m: Mailbox,
  resource: 'mail' | 'calendar',
  deps: ProviderModelDeps,
  phase: 'f' | 'i',
  pos: number,
  end: number,
  size: number,
  cost: (k: number) => Promise<void>,
): AsyncGenerator<SourcePage> {
  for (;;) {
    const k = Math.min(size, end - pos);
    await cost(k);
    const items = pageItems(m, resource, [[pos, pos + k]], deps, deps.clock.now());
    pos += k;
    const done = pos >= end;
    yield page(items, done || phase === 'i' ? { p: 'i', n: [pos] } : { p: 'f', n: [pos], b: [end] }, done);
    if (done) return;
  }
}

/**
 * Outlook mail through Graph (resource `graph-mail`): each folder (inbox, sent items,
 * archive, deleted items: GRAPH.folderShares) has its own delta, up to 4 folders page at
 * once (4 concurrent requests per mailbox) and the engine receives each round's pages
 * together, as GraphMailSource hands them over. List headers come in the delta `$select`
 * (the README's "headers in delta" path); a round costs one request per folder. New mail
 * lands in the inbox and an incremental pass is one delta request per folder.
 */
export class GraphMailModel implements ChangeSource {
  readonly resource = 'graph-mail';
  constructor(
    private readonly m: Mailbox,
    private readonly deps: ProviderModelDeps,
  ) {}

  async *pages(cursor: string | undefined): AsyncGenerator<SourcePage> {
    const { clock } = this.deps;
    let c = readCursor(cursor);
    const folders = GRAPH.folderShares.length;
    if (c?.p === 'i') {
      // One delta request per folder; new mail lands in the inbox, 1,000 a page.
      const total = this.m.messages + arrivedBy(this.m, clock.now());
      let calls: number = folders;
      yield* onePartPass(this.m, 'mail', this.deps, 'i', c.n[0]!, total, GRAPH.deltaPage, async (k) => {
        await this.requests(calls, GRAPH.deltaFixedMs + (k * GRAPH.deltaPerThousandMs) / 1000);
        calls = 1;
      });
      return;
    }
    if (!c) {
      // `/me` and the inbox's child folders, then every folder from scratch.
      await this.requests(2, GRAPH.listFoldersMs);
      const total = this.m.messages + arrivedBy(this.m, clock.now());
      const sizes = GRAPH.folderShares.map((s) => Math.floor(total * s));
      sizes[0]! += total - sizes.reduce((a, b) => a + b, 0);
      c = { p: 'f', n: sizes.map(() => 0), b: sizes };
    }
    const sizes = c.b!;
    const pos = [...c.n];
    const offsets = sizes.map((_, f) => sizes.slice(0, f).reduce((a, b) => a + b, 0));
    const total = sizes.reduce((a, b) => a + b, 0);
    for (;;) {
      const ranges: Array<[number, number]> = [];
      let longest = 0;
      let calls = 0;
      for (let f = 0; f < folders; f++) {
        const k = Math.min(GRAPH.deltaPage, sizes[f]! - pos[f]!);
        // A folder past its last page holds its deltaLink and makes no more requests.
        if (k <= 0) continue;
        calls++;
        longest = Math.max(longest, GRAPH.deltaFixedMs + (k * GRAPH.deltaPerThousandMs) / 1000);
        ranges.push([offsets[f]! + pos[f]!, offsets[f]! + pos[f]! + k]);
        pos[f]! += k;
      }
      await this.requests(calls, longest);
      const done = pos.every((p, f) => p >= sizes[f]!);
      const items = pageItems(this.m, 'mail', ranges, this.deps, clock.now());
      c = done ? { p: 'i', n: [total] } : { p: 'f', n: [...pos], b: sizes };
      yield page(items, c, done);
      if (done) return;
    }
  }

  /** `calls` requests in parallel (at most 4 a mailbox), the slowest taking `ms`. */
  private async requests(calls: number, ms: number): Promise<void> {
    const { clock, app, tally } = this.deps;
    tally.calls += calls;
    tally.units += calls;
    // The app ceiling: this mailbox's request rate while its round runs.
    const rate = calls / Math.max(1, ms);
    const now = clock.now();
    const got = app.begin(now, rate);
    const dispose = clock.onKill?.(() => app.end(clock.now(), rate, calls));
    await pass(clock, ms * (rate / got));
    dispose?.();
    app.end(clock.now(), rate, calls);
  }
}

/** The model sources of one mailbox: mail, then its calendar (the real order). */
export function modelSources(m: Mailbox, deps: ProviderModelDeps): ChangeSource[] {
  return m.provider === 'google'
    ? [new GmailModel(m, deps), new CalendarModel('gcal:primary', m, deps)]
    : [new GraphMailModel(m, deps), new CalendarModel('graph:calendar', m, deps)];
}

/** True when every cursor of the account is incremental: its backfill is done. */
export function backfilled(cursors: Record<string, string>, resources: number): boolean {
  const values = Object.values(cursors);
  return values.length === resources && values.every((v) => v.startsWith('{"p":"i"'));
}
