import { accountOf } from '#lib/health/accounts.ts';
import type { HealthResult } from '#lib/health/types.ts';
import type { Interaction } from '#lib/interactions/types.ts';
import type { Feedback } from '#lib/items/feedback.ts';
import { domainOf } from '#lib/items/normalize.ts';
import type { Store, User } from '#lib/store/types.ts';
import { summarize } from '#lib/store/team-summary.ts';
import { teamAccounts } from './coverage.ts';
import { teamEntriesOf, withheldContacts } from './entries.ts';
import { warmPaths } from './paths.ts';
import { isSharing, removeFromTeam } from './sharing.ts';
import type { TeamJson } from './types.ts';

/** What a weekly report knows that its team view needs: all of it the person's own. */
interface TeamReportInput {
  user: User;
  /** The name the person sends under (lib/team/entries.ts sharerNameOf). */
  sharerName: string | null;
  health: HealthResult;
  /** The extraction's interactions (for the day of each contact's last meeting). */
  interactions: readonly Interaction[];
  feedback: readonly Feedback[];
  asOf: Date;
  /** The person's own addresses and the organization domains in force: never shared. */
  me: ReadonlySet<string>;
  internalDomains: readonly string[];
}

/** The team member of a non-sharer's report: no team view. */
const NOT_SHARING: TeamJson = Object.freeze({ sharing: false, accounts: [], paths: [] }) as TeamJson;

/**
 * The team side of one person's weekly report job (DESIGN section 10). A sharer's job
 * publishes their entries (replacing last week's), then reads the index for the accounts
 * of their own contacts: their summaries (one BatchGetItem per 100 accounts) for
 * coverage, and the entries of flagged contacts' accounts (one Query each) for warm
 * paths; never anyone's partition. A
 * non-sharer publishes nothing, reads nothing, and any leftovers of theirs are removed.
 *
 * After writing, the profile is read again: a stop-sharing or a disconnect that landed
 * while the job ran finds the entries removed here, whichever of the two finished first.
 */
export async function teamViewFor(store: Store, input: TeamReportInput): Promise<TeamJson> {
  const userId = input.user.userId;
  if (!isSharing(input.user)) {
    await removeFromTeam(store, userId);
    return { ...NOT_SHARING };
  }
  const internal = new Set(input.internalDomains.map((d) => d.toLowerCase()));
  const isInternal = (address: string): boolean => input.me.has(address) || internal.has(domainOf(address));
  const own = teamEntriesOf({
    sharer: { userId, address: input.user.email, name: input.sharerName },
    contacts: input.health.contacts,
    interactions: input.interactions,
    asOf: input.asOf,
    withheld: withheldContacts(input.feedback, input.asOf),
    isInternal,
  });
  await store.teamIndex.replace(userId, own);
  const now = await store.getUser(userId);
  if (now === undefined || !isSharing(now)) {
    await removeFromTeam(store, userId);
    return { ...NOT_SHARING };
  }
  const domains = new Set<string>();
  for (const c of input.health.contacts) if (!isInternal(c.address)) domains.add(accountOf(c.address));
  // Coverage from every sharer's summary of each account (BatchGetItem), the person's
  // own being the one just computed, not whatever the index held.
  const read = await store.teamIndex.summaries([...domains]);
  const summaries = [...read.filter((s) => s.sharer !== userId), ...summarize(own)];
  // Warm paths need contacts, and only at the accounts of flagged contacts: one Query each.
  const flagged = new Set<string>();
  for (const f of [...input.health.fading, ...input.health.noFaceTime]) flagged.add(accountOf(f.address));
  for (const a of input.health.accounts) if (a.singleThreaded) flagged.add(a.domain);
  const entries = flagged.size === 0 ? [] : (await store.teamIndex.list([...flagged])).filter((e) => e.sharer !== userId);
  return {
    sharing: true,
    accounts: teamAccounts(userId, domains, summaries),
    paths: warmPaths(userId, input.health, entries),
  };
}
