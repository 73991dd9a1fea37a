import { escapeHtml } from '#lib/html.ts';
import { connectedProvider, type ConnectedProvider } from '#lib/providers/registry.ts';
import { timeZoneNames } from '#lib/time/zones.ts';
import { newScriptNonce, type HtmlPage } from './http.ts';

/**
 * The HTML of the connect flow: the connect page, the success page and the refusals.
 * Self-contained pages (inline CSS, a few lines of inline script, no external asset: the
 * CSP of lib/web/http.ts forbids them; each script runs by its response's nonce), readable on a phone, usable with a keyboard and a
 * screen reader, and working without script.
 */

/** A provider with a connect button (lib/providers/registry.ts). */
export type ConnectProvider = ConnectedProvider;

/** A provider's name on the pages ("Connect Google"). */
export function providerLabel(provider: ConnectProvider): string {
  return connectedProvider(provider)!.label;
}

/** What each scope Sinew asks for lets it do, in the words a person needs to decide. */
const SCOPE_MEANING: Readonly<Record<string, string>> = {
  'https://www.googleapis.com/auth/gmail.metadata': 'message metadata: who wrote to whom, when, and labels; not the message body or attachments',
  'https://www.googleapis.com/auth/calendar.events.readonly': 'read calendar events: when meetings happen and who attends; nothing is changed',
  openid: 'sign-in: which account you connected',
  email: 'your email address, where the weekly report goes',
  'Mail.ReadBasic': 'basic mail properties: sender, recipients, times, folder; not the body, attachments or preview',
  'Calendars.ReadBasic': 'basic event properties: times and attendees; not descriptions or attachments',
  'User.Read': 'sign-in and your profile: your address and its aliases',
  offline_access: 'keep this access while you are away, so the scheduled sync runs',
};

const STYLE = `
:root{color-scheme:light dark;--fg:#1d2430;--muted:#566070;--bg:#f6f7f9;--card:#fff;--line:#d9dde3;--accent:#0b5cad;--accent-fg:#fff;--bad:#a1261b}
@media (prefers-color-scheme:dark){:root{--fg:#e8ebf0;--muted:#a7b0bd;--bg:#12161c;--card:#1b2129;--line:#303844;--accent:#6fb1ff;--accent-fg:#0b1320;--bad:#ff8a80}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:42rem;margin:0 auto;padding:2rem 1.25rem 3rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1.5rem;margin:1.25rem 0}
h1{font-size:1.75rem;line-height:1.2;margin:0 0 .75rem}
h2{font-size:1.15rem;margin:0 0 .5rem}
p,ul{margin:.5rem 0}
.muted{color:var(--muted)}
.bad{color:var(--bad)}
code{font-size:.85em;word-break:break-all}
.scopes li{margin:.35rem 0}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:1rem}
.button,button{display:inline-block;border:0;border-radius:8px;padding:.8rem 1.25rem;background:var(--accent);color:var(--accent-fg);font:inherit;font-weight:600;text-decoration:none;cursor:pointer}
.button:hover,button:hover{filter:brightness(1.08)}
a:focus-visible,button:focus-visible,select:focus-visible{outline:3px solid var(--accent);outline-offset:3px}
a{color:var(--accent)}
label{display:block;font-weight:600;margin-bottom:.35rem}
select{font:inherit;padding:.55rem;border-radius:8px;border:1px solid var(--line);background:var(--card);color:var(--fg);max-width:100%}
form .row{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
@media (max-width:30rem){.actions .button{display:block;width:100%;text-align:center}}
`;

/** Text for HTML content and attribute values. */
export const esc = escapeHtml;

/** A whole page; its script, if any, runs by a nonce of its own (the CSP allows nothing else). */
function page(title: string, body: string, script = ''): HtmlPage {
  const scriptNonce = script ? newScriptNonce() : undefined;
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${esc(title)}</title><style>${STYLE}</style></head>` +
    `<body><main>${body}</main>${scriptNonce ? `<script nonce="${scriptNonce}">${script}</script>` : ''}</body></html>`;
  return scriptNonce ? { html, scriptNonce } : { html };
}

// Adds the browser's time zone to the connect links, so a new person's reports are timed
// right from the first week; without script the success page asks instead.
const CONNECT_SCRIPT =
  "(function(){var z;try{z=Intl.DateTimeFormat().resolvedOptions().timeZone}catch(e){}if(!z)return;" +
  "document.querySelectorAll('a[data-connect]').forEach(function(a){var u=new URL(a.href);u.searchParams.set('tz',z);a.href=u.toString()})})();";

/** A signed link the connect page carries on to the provider buttons. */
export type PersonLinkView =
  /** A join (checked against this browser's cookie): the mailbox joins the reports sent to `reportAddress`. */
  | { kind: 'join'; token: string; reportAddress: string }
  /** A reconnect: `address` is the mailbox it names, when it names one. */
  | { kind: 'reconnect'; token: string; address?: string };

/**
 * The connect page: what Sinew is, what it reads, the exact scopes, and one button per
 * configured provider. With a join, it names whose reports the mailbox joins and the
 * buttons carry the join; with a reconnect, which mailbox to sign in as.
 */
export function connectPage(input: { providers: readonly ConnectProvider[]; link?: PersonLinkView }): HtmlPage {
  const link = input.link;
  const join = link ? `?${link.kind === 'join' ? 'join' : 'link'}=${encodeURIComponent(link.token)}` : '';
  const buttons = input.providers
    .map((p) => `<a class="button" data-connect href="/connect/${p}${join}">Connect ${providerLabel(p)}</a>`)
    .join('');
  const scopes = input.providers
    .map(
      (p) =>
        `<h3>${providerLabel(p)}</h3><ul class="scopes">` +
        connectedProvider(p)!.connectScopes.map((s) => `<li><code>${esc(s)}</code>: ${esc(SCOPE_MEANING[s] ?? 'as named')}</li>`).join('') +
        '</ul>',
    )
    .join('');
  const heading = link?.kind === 'join' ? 'Connect another mailbox' : link?.kind === 'reconnect' ? 'Reconnect a mailbox' : 'Connect your mailbox';
  const intro =
    link?.kind === 'join'
      ? `<p>This mailbox will join the reports of <strong>${esc(link.reportAddress)}</strong>: its contacts will count with theirs, and both addresses get an email with a link to undo it.</p>`
      : link?.kind === 'reconnect'
        ? `<p>Sign in again as ${link.address ? `<strong>${esc(link.address)}</strong>` : 'a mailbox of your reports'} to reconnect it; any other mailbox is refused.</p>`
        : '';
  return page(
    `Sinew: ${heading.toLowerCase()}`,
    '<h1>Sinew</h1>' +
      '<p>Sinew looks after your professional relationships. Every Monday it emails you a short report: ' +
      'who has gone quiet, whose reply you owe, who is waiting for yours, and which relationships are warming.</p>' +
      `<section class="card" aria-labelledby="connect"><h2 id="connect">${heading}</h2>` +
      intro +
      (buttons
        ? `<div class="actions">${buttons}</div>`
        : '<p class="bad">No mailbox provider is set up yet: the administrator must fill in the OAuth client secrets.</p>') +
      '</section>' +
      '<section class="card" aria-labelledby="reads"><h2 id="reads">What Sinew reads</h2>' +
      '<p><strong>Metadata only:</strong> who wrote to whom, when, how many people were on a message, ' +
      'and when meetings happened and who attended.</p>' +
      '<p><strong>Never</strong> message bodies, subjects or attachments. Your access is stored encrypted, ' +
      'and you can disconnect from any report, which deletes everything Sinew holds about you.</p></section>' +
      (scopes ? `<section class="card" aria-labelledby="scopes"><h2 id="scopes">The exact permissions it asks for</h2>${scopes}</section>` : ''),
    CONNECT_SCRIPT,
  );
}

// Fills the time-zone field with the browser's zone and saves it at once when it differs
// from the recorded one; the visible form stays for anyone without script or fetch.
const SUCCESS_SCRIPT =
  "(function(){var f=document.getElementById('tz-form'),s=document.getElementById('timeZone'),st=document.getElementById('tz-status');" +
  'var z;try{z=Intl.DateTimeFormat().resolvedOptions().timeZone}catch(e){}if(!z||!f)return;' +
  "if(![].some.call(s.options,function(o){return o.value===z})){var o=document.createElement('option');o.value=z;o.textContent=z;s.appendChild(o)}" +
  "var was=s.value;s.value=z;f.setAttribute('data-detected',z);" +
  "if(z===was){st.textContent='Detected from your browser: '+z+'.';return}" +
  "fetch(f.action,{method:'POST',body:new URLSearchParams(new FormData(f))}).then(function(r){" +
  "st.textContent=r.ok?'Time zone set to '+z+' (detected from your browser).':'Could not save the time zone; use the button.'})" +
  ".catch(function(){st.textContent='Could not save the time zone; use the button.'})})();";

export interface SuccessPageInput {
  provider: ConnectProvider;
  /** The connected mailbox. */
  address: string;
  /** Where reports go (the person's first mailbox). */
  reportAddress: string;
  /** Set when this mailbox joined an existing person: whose reports (their report address), and whether both were emailed. */
  joined?: { reportAddress: string; notified: boolean };
  /** The person's recorded time zone (the form's default without script). */
  timeZone: string;
  /** `/l/<token>` of a signed `timezone` link. */
  timeZoneAction: string;
  /** Links to connect another mailbox, one per configured provider (signed, bound to this browser). */
  another: ReadonlyArray<{ provider: ConnectProvider; href: string }>;
  /** How long those links work, in minutes. */
  anotherMinutes: number;
  /** Local hour of the Monday report. */
  reportHour: number;
}

/** The page after a mailbox is connected: what happens next, the time zone, another mailbox. */
export function successPage(input: SuccessPageInput): HtmlPage {
  const hour = `${String(input.reportHour).padStart(2, '0')}:00`;
  const options = timeZoneNames().includes(input.timeZone) ? timeZoneNames() : [input.timeZone, ...timeZoneNames()];
  const select = options
    .map((z) => `<option value="${esc(z)}"${z === input.timeZone ? ' selected' : ''}>${esc(z)}</option>`)
    .join('');
  const another = input.another
    .map((a) => {
      const label = a.provider === input.provider ? `Connect another ${providerLabel(a.provider)} mailbox` : `Connect a ${providerLabel(a.provider)} mailbox`;
      return `<a class="button" href="${esc(a.href)}">${label}</a>`;
    })
    .join('');
  return page(
    `Connected ${input.address}`,
    `<h1>Connected ${esc(input.address)}</h1>` +
      '<section class="card" aria-labelledby="next"><h2 id="next">What happens next</h2><ul>' +
      '<li>The first sync is running now: Sinew reads the metadata of your mail and meetings. A large mailbox takes a while; you need not keep this page open.</li>' +
      `<li>Your first report arrives next Monday at ${hour} your time, at <strong>${esc(input.reportAddress)}</strong>.</li>` +
      (input.joined
        ? `<li>This mailbox joins the reports of <strong>${esc(input.joined.reportAddress)}</strong>: its contacts count with the other mailboxes'.` +
          (input.joined.notified ? ' Both addresses got an email about it, with a link to undo it.' : '') +
          '</li>'
        : '') +
      '</ul></section>' +
      '<section class="card" aria-labelledby="tz"><h2 id="tz">Your time zone</h2>' +
      `<form id="tz-form" method="post" action="${esc(input.timeZoneAction)}">` +
      '<label for="timeZone">Reports are timed to this zone</label>' +
      `<div class="row"><select id="timeZone" name="timeZone">${select}</select><button type="submit">Save time zone</button></div>` +
      '<p id="tz-status" class="muted" role="status" aria-live="polite"></p></form></section>' +
      '<section class="card" aria-labelledby="more"><h2 id="more">Another mailbox?</h2>' +
      '<p>Connect your other work or personal mailboxes so your report sees every conversation. ' +
      `The mailbox you connect next joins the reports of <strong>${esc(input.reportAddress)}</strong>.</p>` +
      `<div class="actions">${another}</div>` +
      `<p class="muted">These links work for ${input.anotherMinutes} minutes, in this browser only.</p></section>`,
    SUCCESS_SCRIPT,
  );
}

/** A refusal or failure page: what happened, why, and what to do. */
export function messagePage(input: { title: string; reason: string; next?: string; startAgain?: boolean }): string {
  return page(
    input.title,
    `<h1>${esc(input.title)}</h1><section class="card">` +
      `<p>${esc(input.reason)}</p>` +
      (input.next ? `<p>${esc(input.next)}</p>` : '') +
      (input.startAgain === false ? '' : '<p><a href="/">Start again from the connect page</a></p>') +
      '</section>',
  ).html;
}
