import { createHash } from 'node:crypto';
import type { Attendee, Item, MailItem, MeetingItem } from '#lib/items/types.ts';
import { HISTORY_DAYS } from '#lib/settings.ts';
import { StoreError } from '#lib/errors.ts';
import { SK_ITEM_PREFIX, TABLE_KEYS } from './schema.ts';
import type { StringPool } from '#lib/items/string-pool.ts';

/**
 * How a MailItem or MeetingItem is stored, and back. Items are most of the table, so the
 * record is compact: null fields, empty lists and empty maps are left out and restored on
 * read, and accountId/providerId live in the sort key rather than twice in the record.
 * `h` is a hash of the item's content: `putItems` compares it to skip rewriting an item
 * that is already stored unchanged.
 */

/** The stored shape, as the DocumentClient (un)marshals it. */
export type ItemRecord = Record<string, unknown> & { pk: string; sk: string; h: string };

const SECONDS_PER_DAY = 86_400;
/** DynamoDB's limit on a sort key, in UTF-8 bytes. */
const MAX_SORT_KEY_BYTES = 1024;
/** Marks a sort key made of a hash, for ids that cannot be spelled in the key. */
const HASHED_MARK = '~';

/**
 * The sort key of an item: deterministic, so ingesting the same message twice addresses
 * the same record. An account id containing `#` would make the key ambiguous, and a very
 * long provider id (some Message-IDs) would exceed the key limit: those get a hash key and
 * keep their ids as attributes.
 */
export function itemSortKey(accountId: string, providerId: string, prefix: string = SK_ITEM_PREFIX): string {
  const plain = `${prefix}${accountId}#${providerId}`;
  if (!needsHashedKey(accountId, plain)) return plain;
  const digest = createHash('sha256').update(`${accountId}\0${providerId}`).digest('base64url');
  return `${prefix}${HASHED_MARK}${digest}`;
}

/**
 * The key prefixes under which one account's records of a kind (`prefix`: items, skip
 * records) can lie: its plain keys, and the hashed keys of all accounts, which carry their
 * `accountId` as an attribute for the caller to filter on.
 */
export function accountKeyPrefixes(accountId: string, prefix: string): { plain: string; hashed: string } {
  return { plain: `${prefix}${accountId}#`, hashed: `${prefix}${HASHED_MARK}` };
}

function needsHashedKey(accountId: string, plain: string): boolean {
  return (
    accountId.includes('#') ||
    accountId.startsWith(HASHED_MARK) ||
    Buffer.byteLength(plain, 'utf8') > MAX_SORT_KEY_BYTES
  );
}

/** The time an item happened (send time or meeting start), ISO 8601. */
function itemTime(item: Item): string {
  return item.kind === 'mail' ? item.at : item.start;
}

/** Epoch seconds at which DynamoDB may expire the item: its time plus HISTORY_DAYS. */
export function itemTtl(item: Item): number {
  const ms = Date.parse(itemTime(item));
  if (Number.isNaN(ms)) {
    throw new StoreError(
      `item ${item.accountId}/${item.providerId} has no valid time (${JSON.stringify(itemTime(item))}); ` +
        'providers must give ISO 8601 times',
    );
  }
  return Math.floor(ms / 1000) + HISTORY_DAYS * SECONDS_PER_DAY;
}

/** A stable hash of an item's content (keys sorted), so equal items hash equal. */
export function itemHash(item: Item): string {
  return createHash('sha256').update(canonicalJson(item)).digest('base64url').slice(0, 22);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The stored record of an item of `pk`'s user. */
export function toItemRecord(pk: string, item: Item, hash = itemHash(item)): ItemRecord {
  const sk = itemSortKey(item.accountId, item.providerId);
  const record: ItemRecord = { pk, sk, h: hash, [TABLE_KEYS.ttlAttribute]: itemTtl(item) };
  if (!sk.startsWith(`${SK_ITEM_PREFIX}${item.accountId}#`)) {
    record.accountId = item.accountId;
    record.providerId = item.providerId;
  }
  if (item.kind === 'mail') {
    record.kind = 'mail';
    record.source = item.source;
    record.at = item.at;
    setIfPresent(record, 'messageId', item.messageId);
    setIfPresent(record, 'threadId', item.threadId);
    setIfPresent(record, 'from', item.from);
    setIfPresent(record, 'subjectHash', item.subjectHash);
    setIfPresent(record, 'subjectHeadHash', item.subjectHeadHash ?? null);
    setList(record, 'to', item.to);
    setList(record, 'cc', item.cc);
    setList(record, 'bcc', item.bcc);
    setList(record, 'replyTo', item.replyTo);
    setList(record, 'labels', item.labels);
    setList(record, 'bulkSignals', item.bulkSignals);
    if (Object.keys(item.names).length > 0) record.names = item.names;
    if (item.recipientCounts) record.recipientCounts = item.recipientCounts;
  } else {
    record.kind = 'meeting';
    record.source = item.source;
    record.start = item.start;
    record.end = item.end;
    record.status = item.status;
    setIfPresent(record, 'occurrenceKey', item.occurrenceKey);
    setIfPresent(record, 'organizer', item.organizer);
    setList(record, 'attendees', item.attendees);
    if (item.attendeeCount !== undefined) record.attendeeCount = item.attendeeCount;
  }
  return record;
}

function setIfPresent(record: ItemRecord, name: string, value: string | null): void {
  if (value !== null) record[name] = value;
}

function setList(record: ItemRecord, name: string, value: readonly unknown[]): void {
  if (value.length > 0) record[name] = value;
}

/**
 * The item a stored record holds: exactly the item that was written. With `pool` (one per
 * read of a partition), its addresses, labels and account id are pooled strings (see
 * `StringPool`); the record's own arrays are reused.
 */
export function fromItemRecord(record: Record<string, unknown>, pool?: StringPool): Item {
  const item = decodeItemRecord(record);
  return pool ? poolItemStrings(item, pool) : item;
}

function poolItemStrings(item: Item, pool: StringPool): Item {
  item.accountId = pool.intern(item.accountId);
  if (item.kind === 'meeting') {
    if (item.organizer !== null) item.organizer = pool.intern(item.organizer);
    for (const a of item.attendees) a.address = pool.intern(a.address);
    return item;
  }
  if (item.from !== null) item.from = pool.intern(item.from);
  pool.internAll(item.to);
  pool.internAll(item.cc);
  pool.internAll(item.bcc);
  pool.internAll(item.labels);
  return item;
}

function decodeItemRecord(record: Record<string, unknown>): Item {
  const { accountId, providerId } = itemIds(record);
  if (record.kind === 'meeting') {
    const meeting: MeetingItem = {
      kind: 'meeting',
      accountId,
      source: record.source as MeetingItem['source'],
      providerId,
      occurrenceKey: (record.occurrenceKey as string | undefined) ?? null,
      start: record.start as string,
      end: record.end as string,
      status: record.status as MeetingItem['status'],
      organizer: (record.organizer as string | undefined) ?? null,
      attendees: (record.attendees as Attendee[] | undefined) ?? [],
      ...(typeof record.attendeeCount === 'number' ? { attendeeCount: record.attendeeCount } : {}),
    };
    return meeting;
  }
  const mail: MailItem = {
    kind: 'mail',
    accountId,
    source: record.source as MailItem['source'],
    providerId,
    messageId: (record.messageId as string | undefined) ?? null,
    threadId: (record.threadId as string | undefined) ?? null,
    at: record.at as string,
    from: (record.from as string | undefined) ?? null,
    to: (record.to as string[] | undefined) ?? [],
    cc: (record.cc as string[] | undefined) ?? [],
    bcc: (record.bcc as string[] | undefined) ?? [],
    names: (record.names as Record<string, string> | undefined) ?? {},
    replyTo: (record.replyTo as string[] | undefined) ?? [],
    subjectHash: (record.subjectHash as string | undefined) ?? null,
    ...(typeof record.subjectHeadHash === 'string' ? { subjectHeadHash: record.subjectHeadHash } : {}),
    labels: (record.labels as string[] | undefined) ?? [],
    bulkSignals: (record.bulkSignals as string[] | undefined) ?? [],
    ...(record.recipientCounts ? { recipientCounts: record.recipientCounts as { toCc: number; all: number } } : {}),
  };
  return mail;
}

function itemIds(record: Record<string, unknown>): { accountId: string; providerId: string } {
  if (typeof record.accountId === 'string' && typeof record.providerId === 'string') {
    return { accountId: record.accountId, providerId: record.providerId };
  }
  const rest = (record.sk as string).slice(SK_ITEM_PREFIX.length);
  const cut = rest.indexOf('#');
  if (cut < 0) throw new StoreError(`stored item ${String(record.sk)} has a malformed sort key`);
  return { accountId: rest.slice(0, cut), providerId: rest.slice(cut + 1) };
}
