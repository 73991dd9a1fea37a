import { normalizeAddress } from '#lib/items/normalize.ts';
import { InputError } from '#lib/errors.ts';
import { checkedBaseUrl, type LinkIssuer } from './report-links.ts';
import { linkUrl, signLink } from './token.ts';

/**
 * The link to one contact's notes page (DESIGN section 9): from each attendee of a brief
 * and each action of the weekly email. Signed like every email link, naming the person
 * and the contact, valid for `LINK_TTL_MS.notes` (60 days) from `issuer.now`; the page
 * (lib/web/notes-app.ts) shows and changes that contact's notes and no one else's.
 */
export function notesLink(issuer: LinkIssuer, contact: string): string {
  const address = normalizeAddress(contact);
  if (!address) throw new InputError(`a notes link is about a contact's email address (got ${JSON.stringify(contact.slice(0, 80))})`);
  const token = signLink(issuer.secret, { action: 'notes', userId: issuer.userId, contact: address }, { now: issuer.now.getTime() });
  return linkUrl(checkedBaseUrl(issuer.baseUrl), token);
}

/** A notes-link builder bound to one issuer: what an email's renderer takes per contact. */
export function notesLinks(issuer: LinkIssuer): (contact: string) => string {
  checkedBaseUrl(issuer.baseUrl);
  return (contact) => notesLink(issuer, contact);
}
