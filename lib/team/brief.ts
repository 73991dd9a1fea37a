import { accountOf } from '#lib/health/accounts.ts';
import { normalizeAddress } from '#lib/items/normalize.ts';
import type { Store, TeamEntry, TeamTier } from '#lib/store/types.ts';
import { byTierThenRecent } from './coverage.ts';
import { isSharing } from './sharing.ts';

/**
 * The colleagues a meeting brief shows beside an attendee (DESIGN sections 9 and 10):
 * those who share and are active with that contact itself (not merely at its
 * organization), read from the team index alone.
 */

/** At most this many colleagues per attendee, strongest and most recent first. */
export const MAX_BRIEF_COLLEAGUES = 3;

/** One colleague who knows an attendee, as the brief shows them. */
interface ContactColleague {
  /** Their display name, or their address when the index holds none. */
  name: string;
  tier: TeamTier;
  /** Their last interaction with the attendee: a UTC day `YYYY-MM-DD`. */
  lastInteraction: string;
}

/** Colleagues who know one attendee (address, domain), synchronous: the brief's lookup. */
type ContactColleagues = (address: string, domain: string) => ContactColleague[];

/**
 * Reads the index entries of the attendees' accounts (organization domain, or the
 * address for public webmail: one Query each) and answers, per attendee, the colleagues
 * active with that contact, ranked by tier then most recent, at most
 * {@link MAX_BRIEF_COLLEAGUES}, never the person themself. A person who does not share,
 * or is unknown, sees no team view: the lookup answers nothing and nothing is read.
 */
export async function briefColleagues(store: Store, userId: string, attendees: readonly string[]): Promise<ContactColleagues> {
  const user = await store.getUser(userId);
  const contacts = new Set(attendees.map((a) => normalizeAddress(a)).filter((a): a is string => a !== null));
  if (user === undefined || !isSharing(user) || contacts.size === 0) return () => [];
  const entries = await store.teamIndex.list([...new Set([...contacts].map(accountOf))].sort());
  const byContact = new Map<string, TeamEntry[]>();
  for (const e of entries) {
    if (!e.active || e.sharer === userId || !contacts.has(e.contact)) continue;
    const list = byContact.get(e.contact);
    if (list === undefined) byContact.set(e.contact, [e]);
    else list.push(e);
  }
  const answers = new Map<string, ContactColleague[]>();
  for (const [contact, list] of byContact) {
    const ranked = list.map((e) => ({ ...e, address: e.colleague })).sort(byTierThenRecent);
    const seen = new Set<string>();
    const colleagues: ContactColleague[] = [];
    for (const e of ranked) {
      if (seen.has(e.sharer) || colleagues.length >= MAX_BRIEF_COLLEAGUES) continue;
      seen.add(e.sharer);
      colleagues.push({ name: e.colleagueName ?? e.colleague, tier: e.tier, lastInteraction: e.lastInteraction });
    }
    answers.set(contact, colleagues);
  }
  return (address) => (answers.get(normalizeAddress(address) ?? '') ?? []).map((c) => ({ ...c }));
}
