import { normalizeAddress } from '#lib/items/normalize.ts';
import { InputError } from '#lib/errors.ts';
import { checkedBaseUrl, type LinkIssuer } from './report-links.ts';
import { linkUrl, signLink } from './token.ts';

/**
 * The team view's links in the weekly email (DESIGN section 10): stop sharing, share
 * again, the who-knows page, and "keep private" per contact. Signed like every email link,
 * naming the person (and the contact); what they do is lib/links/team-actions.ts and
 * lib/web/who-knows-app.ts.
 */
export interface TeamLinks {
  stopSharing: string;
  shareAgain: string;
  whoKnows: string;
  /** "Keep private" for one contact: never shared with colleagues. */
  keepPrivate: (address: string) => string;
}

/** The team links of one email, issued now. */
export function teamLinksFor(issuer: LinkIssuer): TeamLinks {
  const base = checkedBaseUrl(issuer.baseUrl);
  const now = issuer.now.getTime();
  const link = (claims: Parameters<typeof signLink>[1]): string => linkUrl(base, signLink(issuer.secret, claims, { now }));
  return {
    stopSharing: link({ action: 'stop-sharing', userId: issuer.userId }),
    shareAgain: link({ action: 'share-again', userId: issuer.userId }),
    whoKnows: link({ action: 'who-knows', userId: issuer.userId }),
    keepPrivate: (address) => {
      const contact = normalizeAddress(address);
      if (!contact) throw new InputError(`a keep-private link is about a contact's email address (got ${JSON.stringify(address.slice(0, 80))})`);
      return link({ action: 'private', userId: issuer.userId, contact });
    },
  };
}
