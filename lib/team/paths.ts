import { accountOf } from '#lib/health/accounts.ts';
import type { HealthResult } from '#lib/health/types.ts';
import type { TeamEntry } from '#lib/store/types.ts';
import { byTierThenRecent, groupByDomain } from './coverage.ts';
import type { PathColleague, WarmPath, WarmPathReason } from './types.ts';

/** Colleagues named per warm path. */
const MAX_PATH_COLLEAGUES = 2;

/**
 * Warm paths (DESIGN section 10): for each fading contact, no-face-time contact and
 * single-threaded account of the person's report, up to two colleagues active with that
 * contact, or failing that with that organization (each through their best contact
 * there), ranked by tier then most recent, never the person themself. Flags with no
 * colleague to name get no path. Order: fading, no face-time, single-threaded, each in
 * the report's order.
 */
export function warmPaths(me: string, health: Pick<HealthResult, 'fading' | 'noFaceTime' | 'accounts'>, entries: readonly TeamEntry[]): WarmPath[] {
  const byDomain = groupByDomain(entries.filter((e) => e.active && e.sharer !== me));
  const paths: WarmPath[] = [];
  const add = (target: string, reason: WarmPathReason, colleagues: PathColleague[]): void => {
    if (colleagues.length > 0) paths.push({ for: target, reason, colleagues });
  };
  for (const f of health.fading) add(f.address, 'fading', forContact(f.address, byDomain));
  for (const f of health.noFaceTime) add(f.address, 'noFaceTime', forContact(f.address, byDomain));
  for (const a of health.accounts) if (a.singleThreaded) add(a.domain, 'singleThreaded', atOrganization(byDomain.get(a.domain) ?? []));
  return paths;
}

/** Colleagues active with the contact itself, else with its organization. */
function forContact(contact: string, byDomain: ReadonlyMap<string, TeamEntry[]>): PathColleague[] {
  const here = byDomain.get(accountOf(contact)) ?? [];
  const direct = here.filter((e) => e.contact === contact);
  return direct.length > 0 ? atOrganization(direct) : atOrganization(here);
}

/** Each colleague once, through their best active contact among `entries`; ranked, at most two. */
function atOrganization(entries: readonly TeamEntry[]): PathColleague[] {
  const best = new Map<string, PathColleague>();
  for (const e of entries) {
    const candidate: PathColleague = { address: e.colleague, name: e.colleagueName, via: e.contact, tier: e.tier, lastInteraction: e.lastInteraction };
    const held = best.get(e.sharer);
    if (held === undefined || byTierThenRecent(rankable(candidate), rankable(held)) < 0) best.set(e.sharer, candidate);
  }
  return [...best.values()].sort((a, b) => byTierThenRecent(rankable(a), rankable(b))).slice(0, MAX_PATH_COLLEAGUES);
}

/** Ranks a path colleague by tier, day, then their contact (so one colleague's best is stable). */
function rankable(c: PathColleague): { tier: PathColleague['tier']; lastInteraction: string; address: string } {
  return { tier: c.tier, lastInteraction: c.lastInteraction, address: `${c.address} ${c.via}` };
}
