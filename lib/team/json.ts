import * as z from 'zod';
import type { PathColleague, TeamAccount, TeamColleague, TeamJson, WarmPath } from './types.ts';

/**
 * The `team` member of the report JSON (DESIGN section 10) as a schema and in its printed
 * key order: the report's JSON module (lib/report/json.ts) places it after `excluded`.
 */

const day = z.iso.date();
const address = z.string().min(3).includes('@');
const tier = z.enum(['strong', 'ok', 'weak']);

/** The zod schema of `team`. */
export const teamJsonSchema = z.strictObject({
  sharing: z.boolean(),
  accounts: z.array(
    z.strictObject({
      domain: z.string().min(1),
      teamSingleThreaded: z.boolean(),
      colleagues: z.array(
        z.strictObject({ address, name: z.string().nullable(), tier, lastInteraction: day, activeContacts: z.number().int().positive() }),
      ),
    }),
  ),
  paths: z.array(
    z.strictObject({
      for: z.string().min(1),
      reason: z.enum(['fading', 'noFaceTime', 'singleThreaded']),
      colleagues: z.array(z.strictObject({ address, name: z.string().nullable(), via: address, tier, lastInteraction: day })),
    }),
  ),
});

/** `team` rebuilt key by key in the documented order. */
export function orderTeam(t: TeamJson): TeamJson {
  return { sharing: t.sharing, accounts: t.accounts.map(orderAccount), paths: t.paths.map(orderPath) };
}

function orderAccount(a: TeamAccount): TeamAccount {
  return { domain: a.domain, teamSingleThreaded: a.teamSingleThreaded, colleagues: a.colleagues.map(orderColleague) };
}

function orderColleague(c: TeamColleague): TeamColleague {
  return { address: c.address, name: c.name, tier: c.tier, lastInteraction: c.lastInteraction, activeContacts: c.activeContacts };
}

function orderPath(p: WarmPath): WarmPath {
  return { for: p.for, reason: p.reason, colleagues: p.colleagues.map(orderPathColleague) };
}

function orderPathColleague(c: PathColleague): PathColleague {
  return { address: c.address, name: c.name, via: c.via, tier: c.tier, lastInteraction: c.lastInteraction };
}
