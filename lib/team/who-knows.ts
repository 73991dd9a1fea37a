import { accountOf } from '#lib/health/accounts.ts';
import { InputError } from '#lib/errors.ts';
import { normalizeAddress } from '#lib/items/normalize.ts';
import type { Store } from '#lib/store/types.ts';
import { colleaguesAt } from './coverage.ts';
import { isSharing } from './sharing.ts';
import type { TeamColleague } from './types.ts';

/** Who knows a contact or an organization (DESIGN section 10), for one asker. */
export interface WhoKnowsAnswer {
  /** The normalized query: an address, or a domain. */
  query: string;
  /** The account asked about: the domain, or for a webmail address the address. */
  account: string;
  /**
   * `contact`: colleagues active with that address; `organization`: none was, so those
   * active at its organization (or the domain asked); `none`: nobody.
   */
  match: 'contact' | 'organization' | 'none';
  /** Ranked by tier then most recent; never the asker. */
  colleagues: TeamColleague[];
}

/** The asker does not share, so sees no team view (DESIGN section 10). */
export class NotSharingError extends InputError {
  override name = 'NotSharingError';
}

/**
 * Answers "who knows ADDRESS|DOMAIN?" for `askerId` from the index alone: one Query of
 * the account's partition. Refused (NotSharingError) for a person who does not share or
 * is unknown; the asker is never listed.
 *
 * @throws InputError when the query is neither an address nor a domain.
 */
export async function whoKnows(store: Store, askerId: string, query: string): Promise<WhoKnowsAnswer> {
  const asker = await store.getUser(askerId);
  if (asker === undefined || !isSharing(asker)) {
    throw new NotSharingError('the team view is for people who share: share again to ask who knows whom');
  }
  const { normalized, account, contact } = parseQuery(query);
  const entries = await store.teamIndex.list([account]);
  if (contact !== null) {
    const direct = colleaguesAt(entries.filter((e) => e.contact === contact), askerId);
    if (direct.length > 0) return { query: normalized, account, match: 'contact', colleagues: direct };
  }
  const colleagues = colleaguesAt(entries, askerId);
  return { query: normalized, account, match: colleagues.length > 0 ? 'organization' : 'none', colleagues };
}

const DOMAIN = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/;

function parseQuery(raw: string): { normalized: string; account: string; contact: string | null } {
  const text = raw.trim();
  if (text.includes('@') && !text.startsWith('@')) {
    const address = normalizeAddress(text);
    if (!address) throw new InputError(`who-knows needs an address or a domain (got ${JSON.stringify(raw)})`);
    return { normalized: address, account: accountOf(address), contact: address };
  }
  const domain = text.toLowerCase().replace(/^@/, '');
  if (!DOMAIN.test(domain)) throw new InputError(`who-knows needs an address or a domain such as acme.com (got ${JSON.stringify(raw)})`);
  return { normalized: domain, account: domain, contact: null };
}
