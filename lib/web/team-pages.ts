import { WHAT_IS_SHARED } from '#lib/team/sharing.ts';
import type { TeamLinkAction, TeamLinkOutcome } from '#lib/links/team-actions.ts';
import type { LinkedUser } from '#lib/links/actions.ts';
import { escapeHtml } from '#lib/html.ts';

/**
 * The words of the team view's link pages (DESIGN section 10): the confirmation of stop
 * sharing, share again and keep private, and their results. HTML already escaped; the
 * links pages (lib/web/links-pages.ts) put them in their frame.
 */

/** What is shared: the same words as the weekly email's (lib/team/sharing.ts). */
function sharedListHtml(): string {
  return `<p>${escapeHtml(WHAT_IS_SHARED)}</p>`;
}

/** What sharing gives the person in return. */
const IN_RETURN = 'In return your report shows which colleagues also know the people you are losing touch with, and you can ask who knows whom.';

/** Title, text, button and kind of a team link's confirmation page (`share-contact`: the undo of keep private). */
export function teamConfirmParts(action: TeamLinkAction | 'share-contact', contactHtml: string): [string, string, string, 'primary' | 'danger'] {
  switch (action) {
    case 'share-contact':
      return [
        'Share this contact again',
        `<p>${contactHtml} is shared with your colleagues again from your next weekly report, like your other contacts.</p>`,
        'Share again',
        'primary',
      ];
    case 'stop-sharing':
      return [
        'Stop sharing with your team',
        '<p>Your colleagues stop seeing whom you know: everything of yours in the team view is removed as soon as you confirm. ' +
          'You stop seeing theirs too. What they see today:</p>' +
          sharedListHtml(),
        'Stop sharing',
        'danger',
      ];
    case 'share-again':
      return [
        'Share with your team again',
        `<p>Your next weekly report shares again:</p>${sharedListHtml()}<p>${escapeHtml(IN_RETURN)}</p>`,
        'Share again',
        'primary',
      ];
    case 'private':
      return [
        'Keep this contact private',
        `<p>${contactHtml} is never shared with your colleagues: what the team view held about them from you is removed as soon as you confirm. ` +
          'Your own report is unchanged.</p>',
        'Keep private',
        'primary',
      ];
  }
}

/** A line under the confirmation saying the state is already the one asked for. */
export function teamStateNote(action: string, user: LinkedUser | undefined): string {
  if (!user) return '';
  const stopped = user.teamSharing === 'stopped';
  if (action === 'stop-sharing' && stopped) return '<p class="muted">You are not sharing now.</p>';
  if (action === 'share-again' && !stopped) return '<p class="muted">You are sharing already.</p>';
  return '';
}

/** Title and text of a team link's result page. */
export function teamResult(outcome: TeamLinkOutcome, contactHtml: string): { title: string; text: string } {
  switch (outcome.action) {
    case 'stop-sharing':
      return {
        title: 'Sharing stopped',
        text:
          `<p>Your colleagues no longer see anything of yours${outcome.removed > 0 ? ` (${outcome.removed} ${outcome.removed === 1 ? 'entry' : 'entries'} removed)` : ''}, ` +
          'and your reports no longer show theirs.</p>',
      };
    case 'share-again':
      return { title: 'Sharing again', text: '<p>Your next weekly report shares again, and shows which colleagues also know your contacts.</p>' };
    case 'private':
      return { title: 'Kept private', text: `<p>${contactHtml} is not shared with your colleagues.</p>` };
    case 'undo':
      return { title: 'Shared again', text: `<p>${contactHtml} is shared with your colleagues again from your next weekly report.</p>` };
  }
}
