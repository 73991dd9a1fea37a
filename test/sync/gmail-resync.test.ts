import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GmailSourceOptions } from '#lib/providers/google/gmail.ts';
import type { MailItem } from '#lib/items/types.ts';
import type { Account } from '#lib/store/types.ts';
import { syncAccount, type SyncOutcome } from '#lib/sync/engine.ts';
import { countWrites, startTestDynamo, type TestDynamo, type WriteCounter } from '#test/support/dynalite.ts';
import { buildMailbox } from '#test/support/google/gmail-fixture.ts';
import type { GmailMailbox } from '#test/support/google/gmail-emulator.ts';
import { AS_OF, startHarness, type Harness } from '#test/providers/google/gmail-harness.ts';

/**
 * Issue 14: a Gmail mailbox whose history id expired (404) is resynced without fetching
 * again what the store holds. Message ids are stable: the resync lists ids (5 units per
 * 500), asks the store which it holds (BatchGetItem, no quota), fetches only the others,
 * and learns where held messages moved from the Trash, Spam and category listings.
 * Everything runs for real: the Gmail emulator with Google's quota costs, dynalite, the
 * sync engine.
 */

let db: TestDynamo;
/** DynamoDB write requests since the last reset, by command. */
let writes: WriteCounter;
let harness: Harness | undefined;

beforeAll(async () => {
  db = await startTestDynamo();
  writes = countWrites(db.client);
});
afterAll(async () => db.close());
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

let users = 0;

/** A synced account: the mailbox's first full sync stored, its cursor incremental. */
async function syncedAccount(box: GmailMailbox, source: Partial<GmailSourceOptions> = {}, withHeld = true) {
  users += 1;
  const userId = `resync-user-${users}`;
  const store = db.store();
  harness = await startHarness(box, { source: { ...(withHeld ? { held: (ids) => store.getItems(userId, 'acct-1', ids) } : {}), ...source } });
  const account: Account = { userId, accountId: 'acct-1', provider: 'google', address: 'me@example.com', aliases: [], status: 'active', errorCount: 0, cursors: {} };
  await store.putAccount(account);
  const first = await run(account);
  expect(first.state).toBe('complete');
  expect(JSON.parse(first.account.cursors.gmail!)).toMatchObject({ phase: 'incremental' });
  return { store, userId, account: first.account };
}

function run(account: Account): Promise<SyncOutcome> {
  return syncAccount({ store: db.store(), account, sources: [harness!.source], clock: harness!.clock, budgetMs: 3_600_000 });
}

async function storedMail(userId: string): Promise<Map<string, MailItem>> {
  const out = new Map<string, MailItem>();
  for await (const item of db.store().queryItems(userId)) if (item.kind === 'mail') out.set(item.providerId, item);
  return out;
}

/** Quota units charged, and fetches made, since `from` requests. */
function spentSince(h: Harness, units: number, requests: number) {
  const fetches = h.emulator.requests.slice(requests).filter((r) => /\/(messages|threads)\/[^/]+$/.test(r.path) && r.status === 200);
  return { units: h.ledger.charges.reduce((n, c) => n + c.units, 0) - units, fetches: fetches.length };
}

function mark(h: Harness) {
  writes.reset();
  return { units: h.ledger.charges.reduce((n, c) => n + c.units, 0), requests: h.emulator.requests.length };
}

describe('Gmail resync after an expired history id', () => {
  it('costs under 1 quota unit per held message and writes no item on an unchanged mailbox', async () => {
    const box = buildMailbox({ messages: 1_500, seed: 14, asOf: AS_OF });
    const { userId, account } = await syncedAccount(box);
    const held = (await storedMail(userId)).size;
    expect(held).toBeGreaterThan(1_000);

    box.expireHistory();
    const before = mark(harness!);
    const outcome = await run(account);
    const spent = spentSince(harness!, before.units, before.requests);

    expect(harness!.emulator.requests.some((r) => r.path.endsWith('/history') && r.status === 404)).toBe(true);
    expect(outcome.state).toBe('complete');
    expect(JSON.parse(outcome.account.cursors.gmail!)).toEqual({ phase: 'incremental', historyId: String(box.historyId) });
    // At most one fetch per listing (mail, Trash, Spam): the probe past the last held message, older than the history.
    expect(spent.fetches).toBeLessThanOrEqual(3);
    expect(spent.units / held).toBeLessThan(1);
    expect(outcome.stats.written).toBe(0);
    // No item written: the only writes are the account's checkpoints (one per page, cursors).
    expect(writes.counts.BatchWriteItemCommand ?? 0).toBe(0);
    expect(writes.counts.PutItemCommand ?? 0).toBe(0);
    expect(writes.counts.DeleteItemCommand ?? 0).toBe(0);
    expect(writes.counts.UpdateItemCommand).toBe(outcome.stats.pages + 1);
    expect((await storedMail(userId)).size).toBe(held);
    console.log(
      `gmail resync of an unchanged mailbox: ${held} held messages, ${spent.units} quota units ` +
        `(${(spent.units / held).toFixed(3)} per held message), ${spent.fetches} fetches, 0 item writes, ` +
        `${writes.counts.UpdateItemCommand} account checkpoints over ${outcome.stats.pages} pages`,
    );
  });

  it('costs what it did before without the store lookup: a fetch per message again, every one unchanged', async () => {
    const box = buildMailbox({ messages: 1_500, seed: 14, asOf: AS_OF });
    const { userId, account } = await syncedAccount(box, {}, false);
    const held = (await storedMail(userId)).size;
    box.expireHistory();
    const before = mark(harness!);
    const outcome = await run(account);
    const spent = spentSince(harness!, before.units, before.requests);
    expect(spent.units / held).toBeGreaterThan(5);
    expect(spent.fetches).toBeGreaterThan(held / 5);
    expect(outcome.stats.written).toBe(0);
    console.log(`gmail resync without the held lookup: ${spent.units} units (${(spent.units / held).toFixed(1)} per held message), ${spent.fetches} fetches`);
  });

  it('learns moves to and from Trash and Spam and between categories without fetching held messages, and fetches new mail', async () => {
    const box = buildMailbox({ messages: 700, seed: 7, asOf: AS_OF });
    const { userId, account } = await syncedAccount(box);
    const stored = await storedMail(userId);
    const recent = box.newestFirst().filter((m) => stored.has(m.id));
    const plain = recent.filter((m) => m.labelIds.every((l) => l !== 'TRASH' && l !== 'SPAM' && !l.startsWith('CATEGORY_')));
    const promo = recent.find((m) => m.labelIds.includes('CATEGORY_PROMOTIONS') && !m.labelIds.includes('TRASH'))!;
    const trashed = recent.find((m) => m.labelIds.includes('TRASH'))!;
    // The message moved to Spam starts a thread that gets a new reply below.
    const toSpam = plain.find((m) => m.threadId === m.id)!;
    const [toTrash, toSocial] = plain.filter((m) => m !== toSpam);
    expect([promo, trashed, toTrash, toSpam, toSocial].every(Boolean)).toBe(true);

    box.expireHistory();
    box.trash(toTrash!.id);
    box.modify(toSpam!.id, ['SPAM'], ['INBOX']);
    box.modify(toSocial!.id, ['CATEGORY_SOCIAL']);
    box.modify(promo.id, ['CATEGORY_UPDATES'], ['CATEGORY_PROMOTIONS']);
    box.modify(trashed.id, ['INBOX'], ['TRASH']);
    const fresh = box.addMessage({
      internalDate: AS_OF - 3_600_000,
      headers: [
        { name: 'From', value: 'Nora <nora@new.example>' },
        { name: 'To', value: 'me@example.com' },
        { name: 'Message-ID', value: '<fresh@new.example>' },
        { name: 'Subject', value: 'New' },
      ],
    });

    // A reply in a thread whose first message is held (now in Spam, so the listing without
    // Spam and Trash does not show it): one messages.get, not the whole thread again.
    const heldThread = toSpam;
    const reply = box.addMessage({
      threadId: heldThread.threadId,
      internalDate: AS_OF - 1_800_000,
      headers: [
        { name: 'From', value: 'me@example.com' },
        { name: 'To', value: 'someone@client.example' },
        { name: 'Message-ID', value: '<reply@example.com>' },
        { name: 'Subject', value: 'Re: hello' },
      ],
    });

    const before = mark(harness!);
    const outcome = await run(account);
    const spent = spentSince(harness!, before.units, before.requests);
    const after = await storedMail(userId);
    expect(after.get(reply.id)).toMatchObject({ messageId: 'reply@example.com', threadId: heldThread.threadId });
    expect(harness!.emulator.requests.slice(before.requests).filter((r) => r.path.includes('/threads/'))).toEqual([]);
    const tracked = (id: string) => after.get(id)!.labels.filter((l) => l === 'TRASH' || l === 'SPAM' || l.startsWith('CATEGORY_')).sort();

    expect(tracked(toTrash!.id)).toEqual(['TRASH']);
    expect(tracked(toSpam!.id)).toEqual(['SPAM']);
    expect(tracked(toSocial!.id)).toEqual(['CATEGORY_SOCIAL']);
    expect(tracked(promo.id)).toEqual(['CATEGORY_UPDATES']);
    expect(tracked(trashed.id)).not.toContain('TRASH');
    expect(after.get(fresh.id)).toMatchObject({ from: 'nora@new.example', messageId: 'fresh@new.example' });
    // Fetched: the two new messages, and at most one probe per listing (mail, Trash, Spam)
    // past the last held message; never a held message. Written: the five moves, the two new.
    const got = harness!.emulator.requests.slice(before.requests).filter((r) => /\/messages\/[^/]+$/.test(r.path)).map((r) => r.path.split('/').at(-1)!);
    expect(got).toContain(fresh.id);
    expect(got).toContain(reply.id);
    expect(got.filter((id) => stored.has(id))).toEqual([]);
    expect(spent.fetches).toBeLessThanOrEqual(5);
    expect(outcome.stats.written).toBe(7);
    expect(after.size).toBe(stored.size + 2);
  });
});
