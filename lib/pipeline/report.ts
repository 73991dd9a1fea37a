import type { Item } from '../providers/types.ts';
import type { Account, Store, User } from '../store/types.ts';
import type { Settings } from '../settings.ts';
import type { ReportJson } from '../report/types.ts';
import type { Feedback } from '../health/types.ts';
import { extractInteractions } from '../interactions/extract.ts';
import { computeHealth } from '../health/index.ts';
import { buildReportJson } from '../report/json.ts';
import { InputError } from '../errors.ts';

/** ISO week key `YYYY-Www` of a date (UTC), the key weekly reports are stored under. */
export function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Feedback still in force at `asOf`: the latest answer per contact, snoozes not yet over. */
function feedbackInForce(all: Feedback[], asOf: Date): Feedback[] {
  return all.filter((f) => Date.parse(f.at) <= asOf.getTime());
}

/**
 * Builds one user's report JSON from the store: one Query of the user's partition, then
 * the pure stages (interactions, health, JSON). Nothing derived is stored, so a changed
 * setting applies to all history without a resync.
 */
export async function buildUserReport(
  store: Store,
  userId: string,
  opts: { asOf: Date; settings: Settings },
): Promise<{ user: User; accounts: Account[]; json: ReportJson }> {
  const user = await store.getUser(userId);
  if (!user) throw new InputError(`no user ${userId} in the store: import or connect a mailbox first`);
  const accounts = await store.listAccounts(userId);
  const items: Item[] = [];
  for await (const item of store.queryItems(userId)) items.push(item);
  const settings: Settings = {
    ...opts.settings,
    internalDomains: [...new Set([...user.internalDomains, ...opts.settings.internalDomains])].sort(),
  };
  const me = [...new Set([...user.me, ...accounts.flatMap((a) => a.aliases)])];
  const extraction = extractInteractions(items, {
    asOf: opts.asOf,
    settings,
    me,
    accountAddresses: accounts.map((a) => a.address),
  });
  const feedback = feedbackInForce(await store.listFeedback(userId), opts.asOf);
  const health = computeHealth(extraction, { asOf: opts.asOf, settings, feedback });
  const json = buildReportJson({
    user: user.email,
    asOf: opts.asOf,
    settings,
    internalDomains: extraction.internalDomains,
    health,
    excluded: extraction.excluded,
  });
  return { user, accounts, json };
}
