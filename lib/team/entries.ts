import { accountOf } from '#lib/health/accounts.ts';
import type { ContactHealth } from '#lib/health/types.ts';
import type { Interaction } from '#lib/interactions/types.ts';
import { isSharingAnswer, type Feedback } from '#lib/items/feedback.ts';
import { normalizeAddress } from '#lib/items/normalize.ts';
import type { Item } from '#lib/items/types.ts';
import type { TeamEntry, TeamTier } from '#lib/store/types.ts';

/**
 * What one sharer publishes to the team index (DESIGN section 10), derived from their own
 * health result and nothing else: per external contact in the window, the address, name
 * and account, a tier, the UTC days of the last interaction and the last meeting, and
 * whether the relationship is active. Muted, private and internal contacts are left out.
 */

/** Health at and above which a tie is `strong`. */
const STRONG_HEALTH = 70;
/** Health at and above which a tie is `ok` (below it: `weak`). */
const OK_HEALTH = 40;

/** The tier of a health score: strong 70 and up, ok 40 to 69, weak under 40. */
export function tierOf(health: number): TeamTier {
  if (health >= STRONG_HEALTH) return 'strong';
  return health >= OK_HEALTH ? 'ok' : 'weak';
}

/**
 * An active relationship (DESIGN section 5): in the window, at least one message each way,
 * or a meeting. One-way traffic is not one.
 */
export function isActiveRelationship(c: Pick<ContactHealth, 'sent' | 'received' | 'meetings'>): boolean {
  return (c.sent > 0 && c.received > 0) || c.meetings > 0;
}

/** Who publishes: their user id, report address and display name. */
interface Sharer {
  userId: string;
  address: string;
  name: string | null;
}

interface TeamEntriesInput {
  sharer: Sharer;
  /** The health result's contacts (those with an interaction in the window). */
  contacts: readonly ContactHealth[];
  /** The extraction's interactions, for the day of the last meeting (none after `asOf` counts). */
  interactions: readonly Interaction[];
  asOf: Date;
  /** Contacts never shared: muted or marked private ({@link withheldContacts}). */
  withheld: ReadonlySet<string>;
  /** Internal contacts (the organization's own domains, the person's own addresses). */
  isInternal: (address: string) => boolean;
}

/** The sharer's entries, sorted by contact: what `teamIndex.replace` is given. */
export function teamEntriesOf(input: TeamEntriesInput): TeamEntry[] {
  const asOf = input.asOf.getTime();
  const lastMeeting = new Map<string, number>();
  for (const i of input.interactions) {
    if (i.kind !== 'meeting' || i.at > asOf) continue;
    if (i.at > (lastMeeting.get(i.contact) ?? -Infinity)) lastMeeting.set(i.contact, i.at);
  }
  const entries: TeamEntry[] = [];
  for (const c of input.contacts) {
    if (input.withheld.has(c.address) || input.isInternal(c.address)) continue;
    const met = lastMeeting.get(c.address);
    entries.push({
      sharer: input.sharer.userId,
      colleague: input.sharer.address,
      colleagueName: input.sharer.name,
      contact: c.address,
      name: c.name,
      domain: accountOf(c.address),
      tier: tierOf(c.health),
      lastInteraction: c.lastInteraction.slice(0, 10),
      lastMeeting: met === undefined ? null : new Date(met).toISOString().slice(0, 10),
      active: isActiveRelationship(c),
    });
  }
  return entries.sort((a, b) => (a.contact < b.contact ? -1 : a.contact > b.contact ? 1 : 0));
}

/**
 * Contacts a person withholds from the team at `asOf`: muted (their latest flag answer)
 * or kept private (their latest sharing answer). A snooze or "this is fine" withholds nothing.
 */
export function withheldContacts(feedback: readonly Feedback[], asOf: Date): Set<string> {
  const latest = new Map<string, Feedback>();
  for (const f of feedback) {
    const at = Date.parse(f.at);
    if (!(at <= asOf.getTime())) continue;
    const contact = normalizeAddress(f.contact) ?? f.contact.trim().toLowerCase();
    const key = `${isSharingAnswer(f) ? 's' : 'f'}${contact}`;
    const prev = latest.get(key);
    if (prev === undefined || at >= Date.parse(prev.at)) latest.set(key, f);
  }
  const withheld = new Set<string>();
  for (const [key, f] of latest) {
    if (f.action === 'mute' || f.action === 'private') withheld.add(key.slice(1));
  }
  return withheld;
}

/**
 * The display name a person sends under: the name most often on their own sent mail
 * (ties: alphabetical), or null when their mail carries none.
 */
export function sharerNameOf(items: readonly Item[], me: ReadonlySet<string>): string | null {
  const counts = new Map<string, number>();
  for (const item of items) {
    if (item.kind !== 'mail' || item.from === null || !me.has(item.from)) continue;
    const name = item.names[item.from]?.trim();
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  let best: string | null = null;
  let bestCount = 0;
  for (const [name, n] of counts) {
    if (n > bestCount || (n === bestCount && best !== null && name < best)) [best, bestCount] = [name, n];
  }
  return best;
}
