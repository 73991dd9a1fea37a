import { isSharing, teamNoticeDue, WHAT_IS_SHARED } from '#lib/team/sharing.ts';
import type { User } from '#lib/store/types.ts';
import type { TeamLinks } from '#lib/links/team-links.ts';
import { escapeHtml, safeUrl } from './escape.ts';
import { heading, linkTo, MUTED, WRAP } from './email-style.ts';

/**
 * What the weekly email says about the team view (DESIGN section 10), where the deployment
 * turned it on: the first email after it starts tells the person what is shared, with a
 * signed "stop sharing" link; later emails of a sharer carry that link and the who-knows
 * page in one line; a person who stopped is told so, with "share again". Absent when the
 * team view is off, so those emails are unchanged byte for byte.
 */

/** `tell`: the person has not been told yet (lib/team/sharing.ts teamNoticeDue). */
export type TeamNoticeState = 'tell' | 'sharing' | 'stopped';

export interface TeamNotice {
  state: TeamNoticeState;
  /** Signed links; none in an email without links (a file on disk). */
  links?: Pick<TeamLinks, 'stopSharing' | 'shareAgain' | 'whoKnows'>;
}

const TITLE = 'Your team view';
const INTRO = 'Sinew now shows who at your firm also knows the people you deal with.';
const STOP = 'Stop sharing whenever you like: your colleagues then see nothing of yours, and your reports show none of theirs.';
const SHARING = 'You share your team view with your colleagues.';
const STOPPED = 'You stopped sharing your team view: your colleagues see nothing of yours, and this report shows none of theirs.';
const PRIVATE = 'To keep one person out of it, use "Keep private" beside them.';

/** The notice of one person's email. */
export function teamNoticeFor(user: Pick<User, 'teamSharing' | 'teamToldAt'>, links?: TeamNotice['links']): TeamNotice {
  const state: TeamNoticeState = !isSharing(user) ? 'stopped' : teamNoticeDue(user) ? 'tell' : 'sharing';
  return { state, ...(links ? { links } : {}) };
}

/** The paragraphs and links of a notice, for both parts. */
function parts(n: TeamNotice): { paragraphs: string[]; links: Array<[string, string | undefined]> } {
  const l = n.links;
  switch (n.state) {
    case 'tell':
      return { paragraphs: [INTRO, WHAT_IS_SHARED, `${STOP} ${PRIVATE}`], links: [['Stop sharing', l?.stopSharing], ['Who knows whom?', l?.whoKnows]] };
    case 'sharing':
      return { paragraphs: [SHARING], links: [['Who knows whom?', l?.whoKnows], ['Stop sharing', l?.stopSharing]] };
    case 'stopped':
      return { paragraphs: [STOPPED], links: [['Share again', l?.shareAgain]] };
  }
}

/**
 * The notice as an MJML section: a heading and the words for the first email, one line
 * after it. Only the section and block tags the compiled weekly template knows.
 */
export function teamNoticeMjml(n: TeamNotice): string {
  const { paragraphs, links } = parts(n);
  const linkLine = links.map(([text, url]) => linkTo(url, text)).filter((x) => x !== '').join(' · ');
  const words = paragraphs.map((p) => `<div style="margin:0 0 6px">${escapeHtml(p)}</div>`).join('');
  const head = n.state === 'tell' ? heading(TITLE) : '';
  return `<mj-section background-color="#ffffff" padding="0 0 12px">
<mj-column>${head}<mj-text font-size="14px" color="${MUTED}"><div class="sinew-team" style="${WRAP}">${words}${linkLine ? `<div>${linkLine}</div>` : ''}</div></mj-text></mj-column>
</mj-section>`;
}

/** The notice as lines of the text part. */
export function teamNoticeText(n: TeamNotice): string[] {
  const { paragraphs, links } = parts(n);
  const lines = n.state === 'tell' ? [TITLE.toUpperCase(), ''] : [];
  lines.push(...paragraphs);
  for (const [text, url] of links) if (safeUrl(url)) lines.push(`${text}: ${url}`);
  lines.push('');
  return lines;
}
