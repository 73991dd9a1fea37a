import { accountOf, rollUpAccounts } from '#lib/health/accounts.ts';
import { isActiveRelationship } from '#lib/health/metrics.ts';
import type { ContactHealth } from '#lib/health/types.ts';
import type { BriefAccount } from './schema.ts';

/**
 * The account line of each organization in a meeting (DESIGN section 9): the account's
 * health, its active contacts, single-threaded or not, rolled up by the health stage's
 * own rule (`rollUpAccounts`). *Active* is DESIGN section 5's word, as the weekly email's
 * picture uses it: in the window, a message each way or a meeting. One-way traffic (a
 * notice never answered) does not make a line into an account, so a customer whose only
 * two-way contact is the attendee is single-threaded even if others mailed once.
 */

/**
 * The organization an attendee belongs to, or null for a person on a public webmail
 * domain (their "account" is themselves: there is no organization to describe).
 */
export function organizationOf(address: string): string | null {
  const account = accountOf(address);
  return account === address ? null : account;
}

/**
 * The account lines of `organizations`, each in the order given. `activeContacts` counts
 * every active contact of the organization, the briefed attendees among them (as the
 * weekly report's account line does); an organization with none has `health: null`.
 *
 * @param organizations the organizations of a meeting's attendees
 * @param heldContacts every contact with an interaction in the held history (at least
 *   those of these organizations)
 * @param contacts the health stage's rows (at least those of these organizations)
 */
export function accountLines(
  organizations: readonly string[],
  heldContacts: Iterable<string>,
  contacts: readonly ContactHealth[],
): Array<Omit<BriefAccount, 'asOf'>> {
  const wanted = new Set(organizations);
  const held = [...heldContacts].filter((c) => wanted.has(accountOf(c)));
  const active = contacts.filter((c) => wanted.has(accountOf(c.address)) && isActiveRelationship(c));
  const rolled = new Map(rollUpAccounts(held, active).map((a) => [a.domain, a]));
  return organizations.map((domain) => {
    const a = rolled.get(domain);
    return a
      ? { domain, health: a.health, activeContacts: a.activeContacts, singleThreaded: a.singleThreaded }
      : { domain, health: null, activeContacts: 0, singleThreaded: false };
  });
}
