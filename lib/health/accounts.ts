import { PUBLIC_WEBMAIL_DOMAINS, domainOf } from '#lib/items/normalize.ts';
import type { AccountHealth, ContactHealth } from './types.ts';

/**
 * The account a contact belongs to: its organization domain, or, on a public webmail
 * domain (a person, not an organization), the full address.
 */
export function accountOf(address: string): string {
  const domain = domainOf(address);
  return PUBLIC_WEBMAIL_DOMAINS.has(domain) ? address : domain;
}

/**
 * Rolls contacts up by account (DESIGN section 4).
 *
 * - Listed: accounts with at least one active contact (an interaction in the window),
 *   highest health first, ties by domain.
 * - `health`: the highest health among its active contacts: an account is as healthy
 *   as its strongest line in (breadth is what `singleThreaded` measures).
 * - `singleThreaded`: exactly one active contact while the account had more than one
 *   contact over the held history: the others went quiet, one departure would lose it.
 *   An account that only ever had one contact (every webmail "account", a one-person
 *   firm) is never single-threaded: nothing shows it had more lines to lose, and
 *   flagging every such contact would drown the signal.
 *
 * @param heldContacts every contact with an interaction in the held history
 * @param active the report's contacts (those with an interaction in the window)
 */
export function rollUpAccounts(heldContacts: readonly string[], active: readonly ContactHealth[]): AccountHealth[] {
  const held = new Map<string, number>();
  for (const address of heldContacts) {
    const account = accountOf(address);
    held.set(account, (held.get(account) ?? 0) + 1);
  }
  const rolled = new Map<string, { activeContacts: number; health: number }>();
  for (const c of active) {
    const account = accountOf(c.address);
    const acc = rolled.get(account);
    if (acc === undefined) rolled.set(account, { activeContacts: 1, health: c.health });
    else {
      acc.activeContacts++;
      if (c.health > acc.health) acc.health = c.health;
    }
  }
  const accounts: AccountHealth[] = [];
  for (const [domain, acc] of rolled) {
    accounts.push({
      domain,
      activeContacts: acc.activeContacts,
      health: acc.health,
      singleThreaded: acc.activeContacts === 1 && (held.get(domain) ?? 0) > 1,
    });
  }
  return accounts.sort((a, b) => b.health - a.health || (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
}
