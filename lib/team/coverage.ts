import type { TeamEntry, TeamSummary, TeamTier } from '#lib/store/types.ts';
import type { TeamAccount, TeamColleague } from './types.ts';

/**
 * Account coverage (DESIGN section 10): for each account of the person's own contacts,
 * the colleagues active there and whether the whole team hangs on one thread.
 */

const TIER_RANK: Readonly<Record<TeamTier, number>> = { strong: 0, ok: 1, weak: 2 };

/** Stronger tier first, then the more recent day, then the address: the team view's one ranking. */
export function byTierThenRecent(
  a: { tier: TeamTier; lastInteraction: string; address: string },
  b: { tier: TeamTier; lastInteraction: string; address: string },
): number {
  return (
    TIER_RANK[a.tier] - TIER_RANK[b.tier] ||
    (a.lastInteraction > b.lastInteraction ? -1 : a.lastInteraction < b.lastInteraction ? 1 : 0) ||
    (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)
  );
}

/**
 * Each sharer's standing at one account from their active entries there: strongest tier,
 * number of active contacts, last interaction with any of them; ranked. `exclude` (the
 * asker) is never listed.
 */
export function colleaguesAt(entries: readonly TeamEntry[], exclude: string): TeamColleague[] {
  const bySharer = new Map<string, TeamColleague>();
  for (const e of entries) {
    if (!e.active || e.sharer === exclude) continue;
    const c = bySharer.get(e.sharer);
    if (c === undefined) {
      bySharer.set(e.sharer, { address: e.colleague, name: e.colleagueName, tier: e.tier, lastInteraction: e.lastInteraction, activeContacts: 1 });
      continue;
    }
    c.activeContacts++;
    if (TIER_RANK[e.tier] < TIER_RANK[c.tier]) c.tier = e.tier;
    if (e.lastInteraction > c.lastInteraction) c.lastInteraction = e.lastInteraction;
  }
  return [...bySharer.values()].sort(byTierThenRecent);
}

/**
 * Exactly one person (any sharer, the asker included) is active at the account, with
 * exactly one active contact there.
 */
export function isTeamSingleThreaded(entries: readonly TeamEntry[]): boolean {
  const people = new Set<string>();
  let active = 0;
  for (const e of entries) {
    if (!e.active) continue;
    people.add(e.sharer);
    active++;
  }
  return people.size === 1 && active === 1;
}

/**
 * `team.accounts`: one row per account of `domains` (the person's own contacts in the
 * window), sorted by domain. `summaries` are every sharer's standing at those accounts
 * (Store.teamIndex.summaries, lib/store/team-summary.ts), the person's own included (the
 * one just published, so the count is this week's).
 */
export function teamAccounts(me: string, domains: Iterable<string>, summaries: readonly TeamSummary[]): TeamAccount[] {
  const byDomain = new Map<string, TeamSummary[]>();
  for (const s of summaries) {
    const list = byDomain.get(s.domain);
    if (list === undefined) byDomain.set(s.domain, [s]);
    else list.push(s);
  }
  return [...new Set(domains)].sort().map((domain) => {
    const here = byDomain.get(domain) ?? [];
    const people = new Set(here.map((s) => s.sharer));
    const colleagues = here
      .filter((s) => s.sharer !== me)
      .map((s): TeamColleague => ({ address: s.colleague, name: s.colleagueName, tier: s.tier, lastInteraction: s.lastInteraction, activeContacts: s.activeContacts }))
      .sort(byTierThenRecent);
    return { domain, teamSingleThreaded: people.size === 1 && here.length === 1 && here[0]!.activeContacts === 1, colleagues };
  });
}

/** Entries grouped by account. */
export function groupByDomain(entries: readonly TeamEntry[]): Map<string, TeamEntry[]> {
  const byDomain = new Map<string, TeamEntry[]>();
  for (const e of entries) {
    const list = byDomain.get(e.domain);
    if (list === undefined) byDomain.set(e.domain, [e]);
    else list.push(e);
  }
  return byDomain;
}
