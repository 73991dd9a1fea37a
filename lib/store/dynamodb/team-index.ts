import { createHash } from 'node:crypto';
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { TeamEntry, TeamIndexStore, TeamIndexWrite, TeamSummary, TeamTier } from '#lib/store/types.ts';
import { InputError, SinewError, StoreError } from '#lib/errors.ts';
import { BATCH_WRITE_MAX, batchWrite, chunk, mapWithLimit, type RetryPolicy, type WriteRequest } from './batch.ts';
import { describe } from './schema.ts';
import { SUMMARY_REF_PREFIX, getSummaries, putSummary, removeSummary, summaryHash } from './team-summaries.ts';
import { summarize } from '#lib/store/team-summary.ts';

/**
 * The team index on DynamoDB (DESIGN section 10), in the Sinew table under its own keys,
 * apart from every personal partition (`USER#...`):
 *
 * | pk                 | sk                         | what                                    |
 * | ------------------ | -------------------------- | --------------------------------------- |
 * | `TEAM#<account>`   | `A#<contact>#<userId>`     | one sharer's entry about one contact,   |
 * |                    | (`I#...` when not active)  | active relationships first              |
 * | `TEAMBY#<userId>`  | `<contact>`                | that sharer's record of having written it |
 *
 * `<account>` is the organization domain, or the address for public webmail. A report reads
 * its colleagues with one Query per account of its own contacts, of the active entries
 * only (`begins_with(sk, 'A#')`: coverage, warm paths and who-knows count nothing else);
 * a sharer's entries are found (and removed) from their `TEAMBY#` list alone, which holds
 * each entry's key and a hash of its content, nothing else. The list entry is written before the entry and
 * deleted after it, so an entry never exists that its sharer's removal would miss, even
 * after a crash between the two writes. The content hash is set only once the entry is
 * written, so a crash between them is repaired by the next run.
 */

type Doc = Pick<DynamoDBDocumentClient, 'send'>;

export const TEAM_PK_PREFIX = 'TEAM#';
export const TEAM_BY_PK_PREFIX = 'TEAMBY#';

/** The attributes of an entry record: the keys and section 10's fields, nothing else. */
export const TEAM_ENTRY_ATTRIBUTES = [
  'pk', 'sk', 'colleague', 'colleagueName', 'contact', 'name', 'domain', 'tier', 'lastInteraction', 'lastMeeting', 'active',
] as const;

const TIERS: ReadonlySet<string> = new Set<TeamTier>(['strong', 'ok', 'weak']);
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** Placeholder hash of a list entry whose index entry is not written yet. */
const PENDING = '-';
const ACTIVE = 'A#';
const INACTIVE = 'I#';
/** Account partitions a report reads at once. */
const LIST_CONCURRENCY = 16;

/** Partition of one account's entries. */
export function teamPk(domain: string): string {
  return `${TEAM_PK_PREFIX}${domain}`;
}

/** Partition of one sharer's list of what they wrote. */
function teamByPk(userId: string): string {
  return `${TEAM_BY_PK_PREFIX}${userId}`;
}

interface Written {
  domain: string;
  /** The entry's sort key (its `A#`/`I#` prefix moves with `active`). */
  entry: string;
  h: string;
}

export class DynamoTeamIndex implements TeamIndexStore {
  constructor(
    private readonly doc: Doc,
    private readonly tableName: string,
    private readonly retry: RetryPolicy,
    private readonly concurrency: number,
  ) {}

  async replace(userId: string, entries: readonly TeamEntry[]): Promise<TeamIndexWrite> {
    const wanted = new Map<string, TeamEntry>();
    for (const e of entries) {
      check(userId, e);
      wanted.set(e.contact, e);
    }
    try {
      const { entries: held, summaries } = await this.written(userId);
      const fresh: Array<{ entry: TeamEntry; h: string }> = [];
      let unchanged = 0;
      for (const entry of wanted.values()) {
        const h = contentHash(entry);
        const was = held.get(entry.contact);
        if (was !== undefined && was.h === h && was.domain === entry.domain && was.entry === entrySk(entry)) unchanged++;
        else fresh.push({ entry, h });
      }
      const stale = [...held].filter(([contact, was]) => {
        const now = wanted.get(contact);
        return now === undefined || now.domain !== was.domain || entrySk(now) !== was.entry;
      });
      // Entries no longer wanted (or moved to another account) go first; then each new
      // entry is listed (a pending hash), written, and its hash set: a crash anywhere
      // leaves every entry listed, and an unfinished one is written again next time.
      await this.write(stale.map(([, was]) => entryDelete(was)));
      const unlisted = fresh.filter(({ entry }) => held.get(entry.contact)?.domain !== entry.domain || held.get(entry.contact)?.entry !== entrySk(entry));
      await this.write(unlisted.map(({ entry }) => listPut(userId, entry, PENDING)));
      await this.write(fresh.map(({ entry }) => ({ PutRequest: { Item: entryRecord(entry) } })));
      await this.write(fresh.map(({ entry, h }) => listPut(userId, entry, h)));
      const gone = stale.filter(([contact]) => !wanted.has(contact));
      await this.write(gone.map(([contact]) => listDelete(userId, contact)));
      await this.replaceSummaries(userId, new Map(summarize(wanted.values()).map((x) => [x.domain, x])), summaries);
      return { written: fresh.length, unchanged, removed: gone.length };
    } catch (error) {
      throw failure('replaceTeamEntries', this.tableName, error);
    }
  }

  async remove(userId: string, contacts?: readonly string[]): Promise<number> {
    try {
      const { entries: held, summaries } = await this.written(userId);
      if (contacts !== undefined) {
        const only = new Set(contacts);
        for (const contact of held.keys()) if (!only.has(contact)) held.delete(contact);
        // The summaries of those accounts counted them: withdrawn until the next report.
        const touched = new Set([...held.values()].map((w) => w.domain));
        for (const domain of summaries.keys()) if (!touched.has(domain)) summaries.delete(domain);
      }
      await this.replaceSummaries(userId, new Map(), summaries);
      await this.write([...held.values()].map(entryDelete));
      await this.write([...held.keys()].map((contact) => listDelete(userId, contact)));
      return held.size;
    } catch (error) {
      throw failure('removeTeamEntries', this.tableName, error);
    }
  }

  async list(domains: readonly string[]): Promise<TeamEntry[]> {
    try {
      // Independent partitions: many at once (DynamoDB answers each in a few ms).
      const pages = await mapWithLimit([...new Set(domains)], LIST_CONCURRENCY, (domain) =>
        this.query({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :active)', ExpressionAttributeValues: { ':pk': teamPk(domain), ':active': ACTIVE } }),
      );
      return pages.flat().map(fromRecord);
    } catch (error) {
      throw failure('listTeamEntries', this.tableName, error);
    }
  }

  async summaries(domains: readonly string[]): Promise<TeamSummary[]> {
    try {
      return await getSummaries(this.doc, this.tableName, new Map([...new Set(domains)].map((d) => [teamPk(d), d])), this.retry, this.concurrency);
    } catch (error) {
      throw failure('teamSummaries', this.tableName, error);
    }
  }

  /**
   * Makes `wanted` the sharer's summaries: each changed one listed (pending), set, then its
   * hash recorded; each one no longer wanted removed, then unlisted.
   */
  private async replaceSummaries(userId: string, wanted: ReadonlyMap<string, TeamSummary>, held: ReadonlyMap<string, string>): Promise<void> {
    const changed = [...wanted.values()].filter((s) => held.get(s.domain) !== summaryHash(s));
    await this.write(changed.filter((s) => !held.has(s.domain)).map((s) => summaryListPut(userId, s.domain, PENDING)));
    await mapWithLimit(changed, this.concurrency, (s) => putSummary(this.doc, this.tableName, teamPk(s.domain), s));
    await this.write(changed.map((s) => summaryListPut(userId, s.domain, summaryHash(s))));
    const gone = [...held.keys()].filter((domain) => !wanted.has(domain));
    await mapWithLimit(gone, this.concurrency, (domain) => removeSummary(this.doc, this.tableName, teamPk(domain), userId));
    await this.write(gone.map((domain) => listDelete(userId, `${SUMMARY_REF_PREFIX}${domain}`)));
  }

  /** The sharer's own list: their entries (contact -> account, key, hash) and summaries (account -> hash). */
  private async written(userId: string): Promise<{ entries: Map<string, Written>; summaries: Map<string, string> }> {
    const records = await this.query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': teamByPk(userId) },
      ConsistentRead: true,
    });
    const entries = new Map<string, Written>();
    const summaries = new Map<string, string>();
    for (const r of records) {
      const sk = r.sk as string;
      if (sk.startsWith(SUMMARY_REF_PREFIX)) summaries.set(r.domain as string, r.h as string);
      else entries.set(sk, { domain: r.domain as string, entry: r.entry as string, h: r.h as string });
    }
    return { entries, summaries };
  }

  private async query(input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    const records: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ TableName: this.tableName, ...input, ExclusiveStartKey: start }));
      records.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return records;
  }

  private async write(requests: WriteRequest[]): Promise<void> {
    await mapWithLimit(chunk(requests, BATCH_WRITE_MAX), this.concurrency, (part) => batchWrite(this.doc, this.tableName, part, this.retry));
  }
}

/** An entry's sort key: active relationships under `A#`, the others under `I#`. */
function entrySk(e: TeamEntry): string {
  return `${e.active ? ACTIVE : INACTIVE}${e.contact}#${e.sharer}`;
}

/** The table record of an entry (what `replace` writes; for bulk fills in benches). */
export function teamEntryRecord(e: TeamEntry): Record<string, unknown> {
  return entryRecord(e);
}

function entryRecord(e: TeamEntry): Record<string, unknown> {
  return {
    pk: teamPk(e.domain),
    sk: entrySk(e),
    colleague: e.colleague,
    colleagueName: e.colleagueName,
    contact: e.contact,
    name: e.name,
    domain: e.domain,
    tier: e.tier,
    lastInteraction: e.lastInteraction,
    lastMeeting: e.lastMeeting,
    active: e.active,
  };
}

function fromRecord(r: Record<string, unknown>): TeamEntry {
  const sk = r.sk as string;
  return {
    sharer: sk.slice(sk.lastIndexOf('#') + 1),
    colleague: r.colleague as string,
    colleagueName: (r.colleagueName as string | null | undefined) ?? null,
    contact: r.contact as string,
    name: (r.name as string | null | undefined) ?? null,
    domain: r.domain as string,
    tier: r.tier as TeamTier,
    lastInteraction: r.lastInteraction as string,
    lastMeeting: (r.lastMeeting as string | null | undefined) ?? null,
    active: r.active === true,
  };
}

function listPut(userId: string, e: TeamEntry, h: string): WriteRequest {
  return { PutRequest: { Item: { pk: teamByPk(userId), sk: e.contact, domain: e.domain, entry: entrySk(e), h } } };
}

function summaryListPut(userId: string, domain: string, h: string): WriteRequest {
  return { PutRequest: { Item: { pk: teamByPk(userId), sk: `${SUMMARY_REF_PREFIX}${domain}`, domain, h } } };
}

function listDelete(userId: string, contact: string): WriteRequest {
  return { DeleteRequest: { Key: { pk: teamByPk(userId), sk: contact } } };
}

function entryDelete(was: Written): WriteRequest {
  return { DeleteRequest: { Key: { pk: teamPk(was.domain), sk: was.entry } } };
}

/** A short hash of what the entry says: equal hashes, nothing to write. */
function contentHash(e: TeamEntry): string {
  const text = JSON.stringify([e.colleague, e.colleagueName, e.contact, e.name, e.domain, e.tier, e.lastInteraction, e.lastMeeting, e.active]);
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

/** An entry is written only for the sharer named in the call, and only with section 10's values. */
function check(userId: string, e: TeamEntry): void {
  const bad = (what: string): never => {
    throw new InputError(`team entry for ${JSON.stringify(e.contact)}: ${what}`);
  };
  if (e.sharer !== userId) bad(`its sharer ${JSON.stringify(e.sharer)} is not the writer ${JSON.stringify(userId)}`);
  if (!userId || userId.includes('#')) bad('the sharer id must be non-empty without #');
  if (!e.contact.includes('@') || !e.domain) bad('needs a contact address and its account');
  if (!TIERS.has(e.tier)) bad(`tier must be strong, ok or weak (got ${JSON.stringify(e.tier)})`);
  if (!DAY.test(e.lastInteraction) || (e.lastMeeting !== null && !DAY.test(e.lastMeeting))) bad('days must be YYYY-MM-DD');
}

function failure(operation: string, tableName: string, error: unknown): SinewError {
  if (error instanceof SinewError) return error;
  return new StoreError(`${operation} on table ${tableName} failed: ${describe(error)}`, { cause: error });
}
