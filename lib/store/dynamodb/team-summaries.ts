import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TeamSummary, TeamTier } from '#lib/store/types.ts';
import { BATCH_GET_MAX, batchGet, chunk, mapWithLimit, type RetryPolicy } from './batch.ts';

/**
 * One summary item per account of the team index (`TEAM#<account>`, sort key `S`): a map
 * from each sharer active there to their standing (strongest tier, number of active
 * contacts, last interaction), which is all that coverage needs. A report gets the
 * summaries of all its accounts with one BatchGetItem per 100 accounts instead of one
 * Query each. Each sharer sets or removes only their own key of the map (an UpdateItem of
 * one map entry), so sharers writing the same account at once never overwrite each
 * other. The sharer's `TEAMBY#` list records each account summarized (`@<account>`).
 */

type Doc = Pick<DynamoDBDocumentClient, 'send'>;

/** Sort key of an account's summary item (never `A#`/`I#`: entry Queries skip it). */
const SUMMARY_SK = 'S';
/** Prefix of a summary's record in the sharer's list (addresses never start with `@`). */
export const SUMMARY_REF_PREFIX = '@';

/** What is stored under the sharer's key of the map: section 10's coverage fields. */
function summaryValue(s: TeamSummary): Record<string, unknown> {
  return { colleague: s.colleague, colleagueName: s.colleagueName, tier: s.tier, activeContacts: s.activeContacts, lastInteraction: s.lastInteraction };
}

/** The whole summary item of one account (for bulk fills in benches; reports write per sharer). */
export function teamSummaryRecord(pk: string, summaries: readonly TeamSummary[]): Record<string, unknown> {
  return { pk, sk: SUMMARY_SK, sharers: Object.fromEntries(summaries.map((s) => [s.sharer, summaryValue(s)])) };
}

export function summaryHash(s: TeamSummary): string {
  return createHash('sha256').update(JSON.stringify(summaryValue(s))).digest('base64url').slice(0, 22);
}

/** Sets the sharer's key of the account's map (creating the item and map when absent). */
export async function putSummary(doc: Doc, tableName: string, pk: string, s: TeamSummary): Promise<void> {
  const Key = { pk, sk: SUMMARY_SK };
  await doc.send(new UpdateCommand({ TableName: tableName, Key, UpdateExpression: 'SET sharers = if_not_exists(sharers, :empty)', ExpressionAttributeValues: { ':empty': {} } }));
  await doc.send(new UpdateCommand({
    TableName: tableName, Key, UpdateExpression: 'SET sharers.#s = :v', ExpressionAttributeNames: { '#s': s.sharer }, ExpressionAttributeValues: { ':v': summaryValue(s) },
  }));
}

/** Removes the sharer's key of the account's map; nothing when it is not there. */
export async function removeSummary(doc: Doc, tableName: string, pk: string, sharer: string): Promise<void> {
  try {
    await doc.send(new UpdateCommand({
      TableName: tableName, Key: { pk, sk: SUMMARY_SK }, UpdateExpression: 'REMOVE sharers.#s',
      ConditionExpression: 'attribute_exists(sharers.#s)', ExpressionAttributeNames: { '#s': sharer },
    }));
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** Every sharer's summary at these accounts: BatchGetItem, 100 accounts a call. */
export async function getSummaries(doc: Doc, tableName: string, pks: ReadonlyMap<string, string>, retry: RetryPolicy, concurrency: number): Promise<TeamSummary[]> {
  const keys = [...pks.keys()].map((pk) => ({ pk, sk: SUMMARY_SK }));
  const pages = await mapWithLimit(chunk(keys, BATCH_GET_MAX), concurrency, (part) => batchGet(doc, tableName, part, [], retry));
  const out: TeamSummary[] = [];
  for (const record of pages.flat()) {
    const domain = pks.get(record.pk as string)!;
    for (const [sharer, v] of Object.entries((record.sharers ?? {}) as Record<string, Record<string, unknown>>)) {
      out.push({
        sharer, domain, colleague: v.colleague as string, colleagueName: (v.colleagueName as string | null | undefined) ?? null,
        tier: v.tier as TeamTier, activeContacts: v.activeContacts as number, lastInteraction: v.lastInteraction as string,
      });
    }
  }
  return out;
}
