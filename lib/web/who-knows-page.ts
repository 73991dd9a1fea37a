import type { WhoKnowsAnswer } from '#lib/team/who-knows.ts';
import type { TeamColleague } from '#lib/team/types.ts';
import { escapeText, page } from './links-pages.ts';

/**
 * The "Who knows ...?" page (DESIGN section 10): a form asking for an address or a
 * domain, and the answer: colleagues who share and are active with that contact or
 * organization, ranked (tier, then most recent), never the asker. No script; everything
 * from the index or the query is escaped.
 */

interface WhoKnowsPageInput {
  /** Where the form is sent (GET): the link itself. */
  action: string;
  /** The query as typed, shown back in the field. */
  query?: string;
  answer?: WhoKnowsAnswer;
  /** Why the query was not answered (not an address or a domain). */
  error?: string;
}

const STYLE = `
.people{list-style:none;padding:0;margin:0}
.people li{border-top:1px solid #e4e7eb;padding:.75rem 0}
.tier{display:inline-block;border-radius:999px;padding:0 .5rem;font-size:.85rem;font-weight:600;background:#e4e7eb}
.tier.strong{background:#ebfbee;color:#2b8a3e}.tier.ok{background:#fff9db;color:#8a6d00}
.status.error{background:#fff5f5;color:#c92a2a;border-radius:8px;padding:.6rem .75rem}
`;

/** The whole page: the form, and the answer when there is one. */
export function whoKnowsPage(input: WhoKnowsPageInput): { title: string; html: string } {
  const title = 'Who knows whom';
  const form =
    `<form method="get" action="${escapeText(input.action)}">` +
    `<label for="q">An email address or an organization's domain</label>` +
    `<input type="text" id="q" name="q" required autocomplete="off" spellcheck="false" maxlength="320" ` +
    `placeholder="ann@acme.com or acme.com" value="${escapeText(input.query ?? '')}">` +
    `<button type="submit">Ask</button></form>`;
  const error = input.error ? `<p class="status error" role="status">${escapeText(input.error)}</p>` : '';
  const body =
    `<h1>${title}</h1>` +
    `<p class="muted">Colleagues who share the team view and are in touch with a person or an organization, strongest first. ` +
    `What you ask is not kept, and nobody is told you asked.</p>${error}${form}${input.answer ? answerHtml(input.answer) : ''}`;
  return { title, html: page(title, body, STYLE) };
}

function answerHtml(a: WhoKnowsAnswer): string {
  const q = `<span class="who">${escapeText(a.query)}</span>`;
  if (a.match === 'none') {
    return `<h2>Nobody yet</h2><p>No colleague who shares is in touch with ${q}${a.account !== a.query ? ` or anyone at ${escapeText(a.account)}` : ''}.</p>`;
  }
  const head = a.match === 'contact' ? `Who knows ${q}` : a.query === a.account ? `Who knows ${q}` : `Nobody knows ${q} directly; at ${escapeText(a.account)}:`;
  return `<h2>${head}</h2><ul class="people">${a.colleagues.map(colleagueItem).join('')}</ul>`;
}

function colleagueItem(c: TeamColleague): string {
  const name = c.name ? `${escapeText(c.name)} <span class="muted">${escapeText(c.address)}</span>` : escapeText(c.address);
  const contacts = c.activeContacts === 1 ? '1 active contact' : `${c.activeContacts} active contacts`;
  return (
    `<li><span class="who">${name}</span><br><span class="tier ${escapeText(c.tier)}">${escapeText(c.tier)}</span> ` +
    `<span class="muted">${contacts} there, last in touch ${escapeText(day(c.lastInteraction))}</span></li>`
  );
}

/** A UTC day of the index (`YYYY-MM-DD`) as "3 Nov 2026". */
function day(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00.000Z`));
}
