import { escapeHtml } from '#lib/html.ts';
import type { LinkOutcome, LinkedUser } from '#lib/links/actions.ts';
import type { LinkAction, LinkClaims } from '#lib/links/token.ts';
import { DEFAULT_SNOOZE_DAYS } from '#lib/health/feedback.ts';
import type { DisconnectOutcome } from '#lib/links/disconnect.ts';
import { newScriptNonce } from './http.ts';
import { teamConfirmParts, teamResult, teamStateNote } from './team-pages.ts';
import type { TeamLinkAction } from '#lib/links/team-actions.ts';

/**
 * The pages of the signed links: a confirmation (GET never changes anything, because mail
 * scanners fetch every link of an email), the result with its undo, and the refusals.
 * Self-contained HTML: inline CSS, no external asset (the CSP of lib/web/http.ts allows
 * none), script only by its response's nonce, readable on a phone.
 */

const STYLE = `
*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:#1f2933;font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:34rem;margin:0 auto;padding:2rem 1rem}
.card{background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.brand{font-weight:700;letter-spacing:.02em;color:#3b5bdb;margin:0 0 1rem}
h1{font-size:1.35rem;line-height:1.3;margin:0 0 .75rem}
p{margin:0 0 1rem}
.muted{color:#616e7c;font-size:.9rem}
.who{font-weight:600;overflow-wrap:anywhere}
form{margin:1.25rem 0 0}
button{font:inherit;font-weight:600;border:0;border-radius:8px;padding:.75rem 1.25rem;background:#3b5bdb;color:#fff;cursor:pointer;width:100%}
button.secondary{background:#e4e7eb;color:#1f2933}
button.danger{background:#c92a2a}
label{display:block;font-weight:600;margin:0 0 .35rem}
input[type=text]{font:inherit;width:100%;padding:.6rem .75rem;border:1px solid #cbd2d9;border-radius:8px;margin:0 0 .75rem}
ul{padding-left:1.2rem;margin:0 0 1rem}
a{color:#3b5bdb;overflow-wrap:anywhere}
@media (min-width:480px){button{width:auto}}
`;

/** Escapes text for HTML content and attribute values (kept under this name for the links pages). */
export const escapeText = escapeHtml;

/** A whole page: title, body HTML (already escaped), and any CSS a page adds to the common style. */
export function page(title: string, body: string, extraStyle = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow"><title>${escapeText(title)} · Sinew</title><style>${STYLE}${extraStyle}</style></head>
<body><main><div class="card"><p class="brand">Sinew</p>${body}</div></main></body></html>`;
}

function postForm(action: string, label: string, kind: 'primary' | 'secondary' | 'danger' = 'primary', fields = ''): string {
  const cls = kind === 'primary' ? '' : ` class="${kind}"`;
  return `<form method="post" action="${escapeText(action)}">${fields}<button type="submit"${cls}>${escapeText(label)}</button></form>`;
}

function who(contact: string | undefined): string {
  return `<span class="who">${escapeText(contact ?? 'this contact')}</span>`;
}

/** A date as the user reads it, in their zone. */
function day(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone }).format(new Date(iso));
}

export interface ConfirmPageInput {
  claims: LinkClaims;
  user: LinkedUser | undefined;
  /** Where the form posts: the link itself. */
  postUrl: string;
  /** Zone names the time-zone form suggests. */
  timeZones?: readonly string[];
  /** The mailbox a detach link is about. */
  mailbox?: { address: string };
}

/** The confirmation page of a link: what it will do, and one button that does it (and the nonce of its script, if any). */
export function confirmPage(input: ConfirmPageInput): { title: string; html: string; scriptNonce?: string } {
  const { claims, user, postUrl } = input;
  const c = who(claims.contact);
  const days = claims.days ?? DEFAULT_SNOOZE_DAYS;
  const parts: Record<Exclude<LinkAction, 'join' | 'reconnect' | 'notes' | 'who-knows' | TeamLinkAction>, [string, string, string, 'primary' | 'danger']> = {
    fine: [
      'Mark as fine',
      `<p>${c} is fine as it is. Sinew will not call them fading until the silence is far longer than usual ` +
        '(three times your usual gap, and at least six weeks). Replies you owe them still show.</p>',
      'Yes, this is fine',
      'primary',
    ],
    snooze: [
      `Snooze for ${days} days`,
      `<p>No actions about ${c} for ${days} days. After that, Sinew flags them again if there is reason to.</p>`,
      `Snooze ${days} days`,
      'primary',
    ],
    mute: [
      'Mute this contact',
      `<p>Sinew will never suggest an action about ${c} again. They still count in the picture of your relationships.</p>`,
      'Mute',
      'primary',
    ],
    undo: [
      'Undo your answer',
      `<p>Cancel what you answered about ${c}: Sinew judges them again like anyone else.</p>`,
      'Undo',
      'primary',
    ],
    pause: [
      'Pause weekly reports',
      '<p>No weekly email, and no meeting briefs, until you resume. Sinew keeps syncing, so nothing is missing when you come back.</p>',
      'Pause reports',
      'primary',
    ],
    resume: ['Resume weekly reports', '<p>Your weekly report arrives again every Monday morning.</p>', 'Resume reports', 'primary'],
    unsubscribe: [
      'Unsubscribe',
      '<p>You will get no more weekly reports or meeting briefs. Your data stays until you disconnect; you can resume at any time.</p>',
      'Unsubscribe',
      'primary',
    ],
    disconnect: [
      'Disconnect and delete everything',
      '<p>Sinew revokes its access to your mailboxes and deletes everything it holds about you: accounts, synced ' +
        'metadata, your answers and past reports. This cannot be undone.</p>',
      'Disconnect and delete',
      'danger',
    ],
    timezone: ['Your time zone', timeZoneIntro(user), 'Save time zone', 'primary'],
    'briefs-off': [
      'Turn off meeting briefs',
      '<p>No more morning email before your meetings. Your weekly report still comes; turn briefs back on at any time.</p>',
      'Turn off briefs',
      'primary',
    ],
    'briefs-on': [
      'Turn on meeting briefs',
      '<p>On a day with a meeting with people outside your organization, Sinew emails you a brief on them in the morning.</p>',
      'Turn on briefs',
      'primary',
    ],
    detach: [
      'Detach a mailbox',
      `<p>${who(input.mailbox?.address ?? 'This mailbox')} joined the weekly reports of ${who(user?.email)}. Detach it: ` +
        'Sinew stops reading it, revokes its access where the provider allows, and deletes everything it read from it. ' +
        'The reports go on with the other mailboxes.</p>',
      'Detach this mailbox',
      'danger',
    ],
  };
  if (claims.action === 'join' || claims.action === 'reconnect' || claims.action === 'notes' || claims.action === 'who-knows') {
    throw new Error(`no confirmation page for ${claims.action}`);
  }
  const [title, text, button, kind] = isTeamLinkAction(claims.action)
    ? teamConfirmParts(claims.action, c)
    : claims.action === 'undo' && claims.scope === 'sharing'
      ? teamConfirmParts('share-contact', c)
      : parts[claims.action];
  const scriptNonce = claims.action === 'timezone' ? newScriptNonce() : undefined;
  const fields = scriptNonce ? timeZoneFields(user, input.timeZones ?? [], scriptNonce) : '';
  const status = stateNote(claims.action, user) + teamStateNote(claims.action, user);
  const html = page(title, `<h1>${escapeText(title)}</h1>${text}${status}${postForm(postUrl, button, kind, fields)}`);
  return scriptNonce ? { title, html, scriptNonce } : { title, html };
}

/** The team view's own links (DESIGN section 10): their pages' words live in team-pages.ts. */
export function isTeamLinkAction(action: LinkAction): action is TeamLinkAction {
  return action === 'stop-sharing' || action === 'share-again' || action === 'private';
}

function timeZoneIntro(user: LinkedUser | undefined): string {
  const current = user ? ` It is now <strong>${escapeText(user.timeZone)}</strong>.` : '';
  return `<p>Your weekly report arrives on Monday morning in this time zone, and its dates are written in it.${current}</p>`;
}

function timeZoneFields(user: LinkedUser | undefined, zones: readonly string[], scriptNonce: string): string {
  const options = zones.map((z) => `<option value="${escapeText(z)}">`).join('');
  // The browser knows the zone it runs in; prefill it (the page works without script too).
  const detect =
    `<script nonce="${scriptNonce}">try{` +
    'var z=Intl.DateTimeFormat().resolvedOptions().timeZone;var i=document.getElementById("tz");' +
    'if(z&&i&&i.dataset.fresh==="1")i.value=z;}catch(e){}</script>';
  return (
    `<label for="tz">Time zone</label><input type="text" id="tz" name="timeZone" list="zones" required ` +
    `autocomplete="off" spellcheck="false" data-fresh="1" value="${escapeText(user?.timeZone ?? 'UTC')}">` +
    `<datalist id="zones">${options}</datalist>${detect}`
  );
}

function stateNote(action: LinkAction, user: LinkedUser | undefined): string {
  if (!user) return '';
  if ((action === 'pause' || action === 'unsubscribe') && user.reportsPaused) {
    return '<p class="muted">Reports are already paused.</p>';
  }
  if (action === 'resume' && !user.reportsPaused) return '<p class="muted">Reports are already on.</p>';
  if (action === 'briefs-off' && user.briefsOff) return '<p class="muted">Meeting briefs are already off.</p>';
  if (action === 'briefs-on' && !user.briefsOff) return '<p class="muted">Meeting briefs are already on.</p>';
  if (action === 'briefs-on' && user.reportsPaused) {
    return '<p class="muted">Your Sinew email is paused: briefs start again when you resume it.</p>';
  }
  return '';
}

export interface ResultLinks {
  /** A POST URL that undoes the answer (fine, snooze, mute). */
  undo?: string;
  /** A POST URL that resumes reports (pause, unsubscribe). */
  resume?: string;
  /** A POST URL that turns meeting briefs back on (briefs-off). */
  briefsOn?: string;
  /** A POST URL that shares with the team again (stop-sharing). */
  shareAgain?: string;
}

/** The page after a link was applied: what changed (or that it already had), and the way back. */
export function resultPage(outcome: LinkOutcome, timeZone: string, links: ResultLinks = {}): { title: string; html: string } {
  const again = outcome.changed ? '' : '<p class="muted">This link had already been used: nothing changed.</p>';
  let title: string;
  let text: string;
  switch (outcome.action) {
    case 'fine':
      title = 'Marked as fine';
      text = `<p>${who(outcome.contact)} will be judged against a longer silence before Sinew calls them fading.</p>`;
      break;
    case 'snooze':
      title = 'Snoozed';
      text = `<p>No actions about ${who(outcome.contact)} until ${escapeText(day(outcome.until, timeZone))}.</p>`;
      break;
    case 'mute':
      title = 'Muted';
      text = `<p>Sinew will not suggest actions about ${who(outcome.contact)} any more.</p>`;
      break;
    case 'undo':
      if ('scope' in outcome) ({ title, text } = teamResult(outcome, who(outcome.contact)));
      else {
        title = 'Answer undone';
        text = `<p>${who(outcome.contact)} is judged like anyone else again from the next report.</p>`;
      }
      break;
    case 'stop-sharing':
    case 'share-again':
    case 'private':
      ({ title, text } = teamResult(outcome, who('contact' in outcome ? outcome.contact : undefined)));
      break;
    case 'pause':
      title = 'Reports paused';
      text = '<p>No weekly email until you resume.</p>';
      break;
    case 'unsubscribe':
      title = 'Unsubscribed';
      text = '<p>You will get no more weekly reports. Your data stays until you disconnect.</p>';
      break;
    case 'resume':
      title = 'Reports resumed';
      text = '<p>Your weekly report arrives again on Monday morning.</p>';
      break;
    case 'briefs-off':
      title = 'Meeting briefs off';
      text = '<p>No more briefs before your meetings. Your weekly report still comes.</p>';
      break;
    case 'briefs-on':
      title = 'Meeting briefs on';
      text = '<p>On a day with a meeting with people outside your organization, a brief arrives in the morning.</p>';
      break;
    case 'timezone':
      title = 'Time zone saved';
      text = `<p>Reports now follow <strong>${escapeText(outcome.timeZone)}</strong>.</p>`;
      break;
    case 'disconnect':
      title = 'Disconnected';
      text = disconnectText(outcome);
      break;
    case 'detach':
      title = 'Mailbox detached';
      text = outcome.mailbox
        ? `<p>${who(outcome.mailbox.address)} no longer feeds the reports of ${who(outcome.reportAddress)}: ` +
          `${outcome.deletedItems} items deleted.</p><ul>${grantLine(outcome.mailbox)}</ul>`
        : `<p>This mailbox no longer feeds these reports${outcome.deletedItems > 0 ? ` (${outcome.deletedItems} items left behind deleted)` : ''}.</p>`;
      break;
  }
  const back = links.undo
    ? postForm(links.undo, 'Undo', 'secondary')
    : links.resume
      ? postForm(links.resume, 'Resume reports', 'secondary')
      : links.briefsOn
        ? postForm(links.briefsOn, 'Turn briefs back on', 'secondary')
        : links.shareAgain
          ? postForm(links.shareAgain, 'Share again', 'secondary')
          : '';
  return { title, html: page(title, `<h1>${escapeText(title)}</h1>${text}${again}${back}`) };
}

function disconnectText(outcome: Extract<LinkOutcome, { action: 'disconnect' }>): string {
  if (!outcome.changed && outcome.accounts.length === 0) {
    return '<p>Sinew holds nothing about you: everything was already deleted.</p>';
  }
  const lines = outcome.accounts.map(grantLine);
  return (
    `<p>Everything Sinew held about you is deleted (${outcome.deletedItems} items).</p>` +
    (lines.length > 0 ? `<ul>${lines.join('')}</ul>` : '')
  );
}

/** What happened to one mailbox's grant, as a list item. */
function grantLine(a: DisconnectOutcome['accounts'][number]): string {
  const name = `<span class="who">${escapeText(a.address)}</span>`;
  const where = a.settingsUrl ? anchor(a.settingsUrl) : '';
  switch (a.grant) {
    case 'revoked':
      return `<li>${name}: access revoked.</li>`;
    case 'discarded':
      return (
        `<li>${name}: token deleted. Microsoft lets only you remove Sinew's consent: open ${where}` +
        `${a.personalSettingsUrl ? ` (a personal account: ${anchor(a.personalSettingsUrl)})` : ''}.</li>`
      );
    case 'not-revoked':
      return `<li>${name}: token deleted, but the provider did not confirm the revocation; remove Sinew at ${where}.</li>`;
    case 'none':
      return `<li>${name}: removed.</li>`;
  }
}

function anchor(url: string): string {
  return `<a href="${escapeText(url)}">${escapeText(url)}</a>`;
}

/** A refusal: a link that failed its check, a person who is gone, a bad form value. */
export function problemPage(title: string, message: string): string {
  return page(title, `<h1>${escapeText(title)}</h1><p>${escapeText(message)}</p>`);
}
