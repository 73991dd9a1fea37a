import { linkUrl, signLink } from './token.ts';
import { checkedBaseUrl, type LinkIssuer } from './report-links.ts';
import { notesLinks } from './notes-links.ts';

/**
 * The signed links of a meeting brief (DESIGN section 9): per attendee, add a note and
 * answer "this person is fine" or "mute" (the weekly email's feedback actions); for the
 * brief, turn briefs off, pause all Sinew email, unsubscribe. Absolute, each naming one
 * user and one action; what they do is the links app's business (lib/web/links-app.ts).
 */

/** Links a brief carries; each optional: the email shows the ones it is given (none locally). */
export interface BriefLinks {
  /** The notes page of one attendee: their notes and a form to add one. */
  note?: (address: string) => string;
  /** An answer about one attendee, as from the weekly email. */
  contactAction?: (address: string, action: 'fine' | 'mute') => string;
  /** Turn meeting briefs off (the weekly report goes on). */
  briefsOff?: string;
  /** Pause all Sinew email: the weekly report and briefs. */
  pause?: string;
  unsubscribe?: string;
}

/**
 * The links of one brief. `unsubscribeUrl` is the same unsubscribe link, always present,
 * for the RFC 8058 `List-Unsubscribe` header.
 */
export function briefLinksFor(input: LinkIssuer): Required<BriefLinks> & { unsubscribeUrl: string } {
  const base = checkedBaseUrl(input.baseUrl);
  const now = input.now.getTime();
  const link = (claims: Parameters<typeof signLink>[1]): string => linkUrl(base, signLink(input.secret, claims, { now }));
  const unsubscribeUrl = link({ action: 'unsubscribe', userId: input.userId });
  return {
    note: notesLinks({ ...input, baseUrl: base }),
    contactAction: (address, action) => link({ action, userId: input.userId, contact: address }),
    briefsOff: link({ action: 'briefs-off', userId: input.userId }),
    pause: link({ action: 'pause', userId: input.userId }),
    unsubscribe: unsubscribeUrl,
    unsubscribeUrl,
  };
}
