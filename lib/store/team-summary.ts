import type { TeamEntry, TeamSummary, TeamTier } from './types.ts';

const TIER_RANK: Readonly<Record<TeamTier, number>> = { strong: 0, ok: 1, weak: 2 };

/**
 * Each sharer's standing at each account from their active entries (DESIGN section 10):
 * strongest tier, number of active contacts, last interaction with any of them. A sharer
 * with no active entry at an account has no summary there. In first-seen order.
 */
export function summarize(entries: Iterable<TeamEntry>): TeamSummary[] {
  const byKey = new Map<string, TeamSummary>();
  for (const e of entries) {
    if (!e.active) continue;
    const key = `${e.sharer} ${e.domain}`;
    const s = byKey.get(key);
    if (s === undefined) {
      byKey.set(key, { sharer: e.sharer, colleague: e.colleague, colleagueName: e.colleagueName, domain: e.domain, tier: e.tier, activeContacts: 1, lastInteraction: e.lastInteraction });
      continue;
    }
    s.activeContacts++;
    if (TIER_RANK[e.tier] < TIER_RANK[s.tier]) s.tier = e.tier;
    if (e.lastInteraction > s.lastInteraction) s.lastInteraction = e.lastInteraction;
  }
  return [...byKey.values()];
}
