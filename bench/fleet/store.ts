import type { Item } from '#lib/items/types.ts';
import type { Account, AccountChange, AccountChangeResult, AccountStatus, NoteStore, PutItemsResult, SendClaim, Store, TeamIndexStore, User, UserChange } from '#lib/store/types.ts';
import type { Feedback } from '#lib/items/feedback.ts';
import type { SyncSchedule } from '#lib/sync/dispatch.ts';
import type { ReportDirectory } from '#lib/report/dispatch.ts';
import type { Clock } from '#lib/time/clock.ts';
import { accountScheduleKey } from '#lib/store/dynamodb/schema.ts';
import { DYNAMODB } from './limits.ts';
import type { TableThroughput } from './meters.ts';

/**
 * The DynamoDB table as the fleet needs it, at page granularity: accounts and users as
 * the real store keeps them (conditional account updates included: a checkpoint applies
 * only over the cursors its run last saw), and, instead of items, a ledger of which
 * message indices each account holds. A page of the model sources is an array of one
 * shared placeholder item per message (so the engine's counts are real counts) whose
 * index ranges are registered in {@link PAGE_RANGES}; writing it marks those ranges held,
 * and a range already held counts as unchanged, as the real store's hash check would.
 *
 * Every call costs time on the caller's clock (DYNAMODB latencies), and writes queue
 * behind the table's on-demand throughput.
 */

/** Index ranges `[from, to)` of the messages a placeholder item stands for, per ledger. */
export const PAGE_RANGES = new WeakMap<object, { ledger: string; ranges: Array<[number, number]> }>();

/** Sorted, merged `[from, to)` ranges: what one ledger holds. */
class Ledger {
  ranges: Array<[number, number]> = [];
  held = 0;

  /** Adds a range; returns how many of its indices were new. */
  add(from: number, to: number): number {
    if (to <= from) return 0;
    let added = to - from;
    const out: Array<[number, number]> = [];
    let a = from;
    let b = to;
    for (const [x, y] of this.ranges) {
      if (y < a || x > b) out.push([x, y]);
      else {
        added -= Math.max(0, Math.min(y, b) - Math.max(x, a));
        a = Math.min(a, x);
        b = Math.max(b, y);
      }
    }
    out.push([a, b]);
    out.sort((p, q) => p[0] - q[0]);
    this.ranges = out;
    this.held += added;
    return added;
  }
}

export interface ModelStoreCounts {
  /** Items newly written (the real store's `written`). */
  written: number;
  /** Items presented again (a replayed page). */
  unchanged: number;
  accountUpdates: number;
  accountReads: number;
  putItemsCalls: number;
}

export class ModelStore implements SyncSchedule, ReportDirectory {
  private readonly accounts = new Map<string, Account>();
  private readonly scheduleKeys = new Map<string, string>();
  private readonly users = new Map<string, User>();
  private readonly ledgers = new Map<string, Ledger>();
  private readonly claims = new Map<string, 'sent' | { owner: string; until: number }>();
  readonly counts: ModelStoreCounts = { written: 0, unchanged: 0, accountUpdates: 0, accountReads: 0, putItemsCalls: 0 };

  constructor(
    private readonly table: TableThroughput,
    private readonly wruPerAccountUpdate: number,
    /** Told after every applied account update (the fleet watches backfills finish). */
    private readonly onAccountUpdated: (account: Account) => void = () => undefined,
  ) {}

  /** Connect: the account record as the connect page writes it (no clock: instantaneous). */
  putAccountNow(account: Account, now: number): void {
    this.accounts.set(key(account.userId, account.accountId), cloneAccount(account));
    this.scheduleKeys.set(key(account.userId, account.accountId), accountScheduleKey(account));
    this.table.write(now, this.wruPerAccountUpdate);
  }

  putUserNow(user: User): void {
    this.users.set(user.userId, { ...user });
  }

  account(userId: string, accountId: string): Account | undefined {
    return this.accounts.get(key(userId, accountId));
  }

  ledger(name: string): Ledger {
    let l = this.ledgers.get(name);
    if (!l) this.ledgers.set(name, (l = new Ledger()));
    return l;
  }

  /** Every account, for the end-of-run checks. */
  allAccounts(): Account[] {
    return [...this.accounts.values()];
  }

  /** The store seen by one invocation: its calls take time on `clock`. */
  view(clock: Clock & { pass?(ms: number): Promise<void> }): Store {
    return new StoreView(this, clock);
  }

  // SyncSchedule: the schedule index, in the order of its sort key (never-synced first),
  // kept as the real store keeps gsi1sk: set by putAccount from the record, and by an
  // update that sets progressAt or lastSyncAt.
  async listAccountsDueForSync(before: string, status: AccountStatus = 'active'): Promise<Array<{ userId: string; accountId: string }>> {
    const due: Array<{ a: Account; k: string }> = [];
    for (const [id, a] of this.accounts) {
      const k = this.scheduleKeys.get(id) ?? '0';
      if (a.status === status && k < before) due.push({ a, k });
    }
    due.sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0));
    return due.map(({ a }) => ({ userId: a.userId, accountId: a.accountId }));
  }

  // ReportDirectory
  async listUsersForReport(timeZone: string): Promise<string[]> {
    const out: string[] = [];
    for (const u of this.users.values()) if (u.timeZone === timeZone && !u.reportsPaused) out.push(u.userId);
    return out;
  }

  // What StoreView applies once its latency has passed.
  applyGetAccount(userId: string, accountId: string): Account | undefined {
    this.counts.accountReads++;
    this.table.read(1);
    const a = this.accounts.get(key(userId, accountId));
    return a ? cloneAccount(a) : undefined;
  }

  applyUpdateAccount(userId: string, accountId: string, change: AccountChange): AccountChangeResult {
    const a = this.accounts.get(key(userId, accountId));
    if (!a) return 'gone';
    if (change.expectCursors && !sameCursors(a.cursors, change.expectCursors)) return 'superseded';
    const set = change.set ?? {};
    if (set.status !== undefined) a.status = set.status;
    if (set.errorCount !== undefined) a.errorCount = set.errorCount;
    if (set.cursors !== undefined) a.cursors = { ...set.cursors };
    if (set.aliases !== undefined) a.aliases = [...set.aliases];
    if (set.lastSyncAt !== undefined) a.lastSyncAt = set.lastSyncAt;
    if (set.progressAt !== undefined) a.progressAt = set.progressAt;
    const scheduleKey = set.progressAt ?? set.lastSyncAt;
    if (scheduleKey !== undefined) this.scheduleKeys.set(key(userId, accountId), scheduleKey);
    if (set.failingSince !== undefined) a.failingSince = set.failingSince;
    if (set.encryptedToken !== undefined) a.encryptedToken = set.encryptedToken;
    for (const r of change.remove ?? []) delete a[r];
    this.counts.accountUpdates++;
    this.onAccountUpdated(a);
    return 'updated';
  }

  /** Marks the page's ranges held; the written/unchanged split the real store reports. */
  applyPutItems(items: Item[]): PutItemsResult {
    this.counts.putItemsCalls++;
    if (items.length === 0) return { written: 0, unchanged: 0 };
    const page = PAGE_RANGES.get(items[0]!);
    if (!page) throw new Error('model store: an item that is not a model page placeholder');
    let expected = 0;
    let written = 0;
    const ledger = this.ledger(page.ledger);
    for (const [from, to] of page.ranges) {
      expected += to - from;
      written += ledger.add(from, to);
    }
    if (expected !== items.length) throw new Error(`model store: a page of ${items.length} items registered ${expected} indices`);
    this.counts.written += written;
    this.counts.unchanged += items.length - written;
    return { written, unchanged: items.length - written };
  }

  applyClaim(userId: string, k: string, owner: string, now: number, leaseMs: number): SendClaim {
    const c = this.claims.get(`${userId}\n${k}`);
    if (c === 'sent') return 'sent';
    if (c && c.until > now && c.owner !== owner) return 'busy';
    this.claims.set(`${userId}\n${k}`, { owner, until: now + leaseMs });
    return 'claimed';
  }

  applyMarkSent(userId: string, k: string): void {
    this.claims.set(`${userId}\n${k}`, 'sent');
  }

  applyRelease(userId: string, k: string, owner: string): void {
    const c = this.claims.get(`${userId}\n${k}`);
    if (c && c !== 'sent' && c.owner === owner) this.claims.delete(`${userId}\n${k}`);
  }

  get tableThroughput(): TableThroughput {
    return this.table;
  }

  get accountUpdateWru(): number {
    return this.wruPerAccountUpdate;
  }

  getUserNow(userId: string): User | undefined {
    return this.users.get(userId);
  }
}

/**
 * One invocation's store: the model's state behind DynamoDB's latencies and throughput.
 * On an invocation's clock short calls add their time to the next wait (see
 * InvocationClock.pass); on any other clock each call waits for it.
 */
class StoreView implements Store {
  constructor(
    private readonly m: ModelStore,
    private readonly clock: Clock & { pass?(ms: number): Promise<void> },
  ) {}

  private async take(ms: number): Promise<void> {
    await (this.clock.pass ? this.clock.pass(ms) : this.clock.sleep(ms));
  }

  private async op(): Promise<void> {
    await this.take(DYNAMODB.opMs);
  }

  private async writeUnits(wru: number, latencyMs: number): Promise<void> {
    const now = this.clock.now();
    const done = this.m.tableThroughput.write(now, wru);
    await this.take(Math.max(latencyMs, done - now));
  }

  async getAccount(userId: string, accountId: string): Promise<Account | undefined> {
    await this.op();
    return this.m.applyGetAccount(userId, accountId);
  }

  async updateAccount(userId: string, accountId: string, change: AccountChange): Promise<AccountChangeResult> {
    await this.writeUnits(this.m.accountUpdateWru, DYNAMODB.opMs);
    return this.m.applyUpdateAccount(userId, accountId, change);
  }

  async putItems(_userId: string, items: Item[]): Promise<PutItemsResult> {
    if (items.length === 0) {
      return this.m.applyPutItems(items);
    }
    // BatchGet of the stored hashes (half a read unit each, eventually consistent), then
    // BatchWrite of what is new: the write units are only known after the check, so the
    // page pays for all of them (a replayed page is rare).
    this.m.tableThroughput.read(items.length / 2);
    await this.writeUnits(items.length * DYNAMODB.wruPerItem, Math.ceil(items.length / 100) * DYNAMODB.putPer100Ms);
    return this.m.applyPutItems(items);
  }

  async deleteItems(): Promise<void> {
    await this.op();
  }

  async deleteAccountItems(): Promise<number> {
    await this.op();
    return 0;
  }

  async deleteAccount(): Promise<boolean> {
    await this.op();
    return false;
  }

  async getItem(): Promise<Item | undefined> {
    await this.op();
    return undefined;
  }

  /** A resync's question; the models never resync (their cursors never expire). */
  async getItems(): Promise<Item[]> {
    await this.op();
    return [];
  }

  async getUser(userId: string): Promise<User | undefined> {
    await this.op();
    const u = this.m.getUserNow(userId);
    return u ? { ...u } : undefined;
  }

  async claimSend(userId: string, k: string, owner: string, now: Date, leaseMs: number): Promise<SendClaim> {
    await this.writeUnits(1, DYNAMODB.opMs);
    return this.m.applyClaim(userId, k, owner, now.getTime(), leaseMs);
  }

  async markSent(userId: string, k: string): Promise<void> {
    await this.writeUnits(1, DYNAMODB.opMs);
    this.m.applyMarkSent(userId, k);
  }

  async releaseSend(userId: string, k: string, owner: string): Promise<void> {
    await this.writeUnits(1, DYNAMODB.opMs);
    this.m.applyRelease(userId, k, owner);
  }

  // Not reached by the sync worker; the report worker is modelled (see reports.ts).
  putUser(): Promise<void> {
    return notModelled('putUser');
  }
  updateUser(_userId: string, _change: UserChange): Promise<User | undefined> {
    return notModelled('updateUser');
  }
  putAccount(): Promise<void> {
    return notModelled('putAccount');
  }
  listAccounts(): Promise<Account[]> {
    return notModelled('listAccounts');
  }
  queryItems(): AsyncIterable<Item> {
    throw new Error('model store: queryItems is not modelled');
  }
  putFeedback(_userId: string, _feedback: Feedback): Promise<void> {
    return notModelled('putFeedback');
  }
  listFeedback(): Promise<Feedback[]> {
    return notModelled('listFeedback');
  }
  putReport(): Promise<void> {
    return notModelled('putReport');
  }
  getReport(): Promise<string | undefined> {
    return notModelled('getReport');
  }
  deleteUser(): Promise<number> {
    return notModelled('deleteUser');
  }
  readonly notes: NoteStore = {
    create: () => notModelled('notes.create'),
    replace: () => notModelled('notes.replace'),
    get: () => notModelled('notes.get'),
    list: () => notModelled('notes.list'),
    delete: () => notModelled('notes.delete'),
  };
  readonly teamIndex: TeamIndexStore = {
    replace: () => notModelled('teamIndex.replace'),
    remove: () => notModelled('teamIndex.remove'),
    list: () => notModelled('teamIndex.list'),
    summaries: () => notModelled('teamIndex.summaries'),
  };
}

function notModelled(what: string): Promise<never> {
  return Promise.reject(new Error(`model store: ${what} is not modelled`));
}

function key(userId: string, accountId: string): string {
  return `${userId}\n${accountId}`;
}

function cloneAccount(a: Account): Account {
  return { ...a, cursors: { ...a.cursors }, aliases: [...a.aliases] };
}

function sameCursors(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}
