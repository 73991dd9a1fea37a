import type { Action } from './actions.ts';
import type { PictureContact, ReportModel } from './model.ts';
import type { ReportLinks } from '#lib/links/report-links.ts';
import { distributionChart, healthBars } from './charts.ts';
import { escapeHtml } from './escape.ts';
import { heading, linkTo, MUTED, mjmlDocument, pill, subheading, WRAP } from './email-style.ts';
import { subjectOf } from './subject.ts';
import { renderCompiled } from './email-template.ts';
import { EMAIL_TEMPLATE } from './email-template.generated.ts';
import { teamNoticeMjml } from './team-notice.ts';
import {
  CHANGE_TIME_ZONE, FIRST_REPORT, FIRST_WEEK, MAILBOXES, NOTHING_TO_DO, NO_CALENDAR, READS, cannotRead, datesIn, noActivity, moreFlagged, signed, yourNote, notesLinkLabel, KEEP_PRIVATE,
} from './wording.ts';

/**
 * The HTML part of the weekly email, written in MJML so the result is the table layout
 * with inline CSS that Gmail, Outlook and Apple Mail all render, one column on a phone.
 * Charts come from charts.ts (table-cell bars). Every string that came from mail goes
 * through {@link escapeHtml}; every link must be http(s) or it is left out.
 */

export { escapeHtml } from './escape.ts';

const KIND_LABEL: Record<Action['kind'], string> = {
  'owed-reply': 'Owed reply',
  fading: 'Fading',
  'awaiting-reply': 'Awaiting reply',
  'no-face-time': 'No face-time',
};
const KIND_COLOR: Record<Action['kind'], string> = {
  'owed-reply': '#c05621',
  fading: '#c53030',
  'awaiting-reply': '#2b6cb0',
  'no-face-time': '#6b46c1',
};

/**
 * Renders the model as an HTML email: MJML's rendering of {@link mjmlOf}, byte for byte,
 * from the template compiled at build time (lib/report/email-template.ts), so no MJML
 * ships to Lambda. The tests validate {@link mjmlOf} strictly with MJML and compare.
 */
export async function renderHtml(model: ReportModel): Promise<string> {
  return renderCompiled(EMAIL_TEMPLATE, mjmlOf(model));
}

/** The MJML source of the email; exported for tests that check the template itself. */
export function mjmlOf(model: ReportModel): string {
  const subject = subjectOf(model);
  const preview = model.actions[0]?.summary ?? NOTHING_TO_DO;
  const intro = model.firstWeek
    ? `<mj-text font-size="14px" color="${MUTED}">${escapeHtml(FIRST_REPORT)}</mj-text>`
    : '';
  return mjmlDocument(subject, preview, `<mj-section background-color="#ffffff" padding="20px 0 8px">
<mj-column>
<mj-text font-size="13px" color="${MUTED}">SINEW · WEEK OF ${escapeHtml(model.weekOf.toUpperCase())}</mj-text>
<mj-text font-size="22px" font-weight="700" line-height="1.3"><div style="${WRAP}">${escapeHtml(subject)}</div></mj-text>
${intro}
</mj-column>
</mj-section>
${reconnectSection(model)}
${actionsSection(model)}
${model.team ? teamNoticeMjml(model.team) : ''}
${calendarSection(model)}
${pictureSection(model)}
${footerSection(model)}`);
}

function reconnectSection(model: ReportModel): string {
  const notices: string[] = [];
  if (model.needsReconnect.length > 0) {
    const link = linkTo(model.links.reconnect, 'Reconnect now');
    notices.push(`<mj-text><div style="${WRAP}">⚠ ${escapeHtml(cannotRead(model.needsReconnect.join(', ')))} ${link}</div></mj-text>`);
  }
  for (const notice of model.staleNotices) notices.push(`<mj-text><div style="${WRAP}">⚠ ${escapeHtml(notice)}</div></mj-text>`);
  if (notices.length === 0) return '';
  return `<mj-section background-color="#fffbea" padding="10px 0">
<mj-column>${notices.join('\n')}</mj-column>
</mj-section>`;
}

function calendarSection(model: ReportModel): string {
  const missing = model.calendarMissing;
  if (!missing) return '';
  const link = linkTo(missing.link, 'Add your calendar');
  return `<mj-section background-color="#ffffff" padding="0 0 12px">
<mj-column><mj-text font-size="14px" color="${MUTED}"><div style="${WRAP}">${escapeHtml(NO_CALENDAR)} ${escapeHtml(missing.hint)} ${link}</div></mj-text></mj-column>
</mj-section>`;
}

function actionsSection(model: ReportModel): string {
  const head = heading('What to do this week');
  if (model.emptyWeek) {
    return `<mj-section background-color="#ffffff" padding="8px 0 16px"><mj-column>${head}
<mj-text>${escapeHtml(NOTHING_TO_DO).replace('Nothing needs you this week.', '<strong>Nothing needs you this week.</strong>')}</mj-text>
</mj-column></mj-section>`;
  }
  const items = model.actions.map((a, i) => actionBlock(a, i + 1, model.links)).join('\n');
  const more = model.omittedActions > 0 ? `<mj-text font-size="13px" color="${MUTED}">${escapeHtml(moreFlagged(model.omittedActions))}</mj-text>` : '';
  return `<mj-section background-color="#ffffff" padding="8px 0 16px"><mj-column>${head}
${items}
${more}
</mj-column></mj-section>`;
}

function actionBlock(action: Action, n: number, links: ReportLinks): string {
  const evidence = action.evidence.map((e) => `<li style="margin:0 0 2px">${escapeHtml(e)}</li>`).join('');
  // The class marks an action for the screenshot tests; mail clients ignore it.
  return `<mj-text padding="12px 24px 8px">
<div class="sinew-action" style="border-left:3px solid ${KIND_COLOR[action.kind]};padding-left:12px;${WRAP}">
<div style="font-size:12px;color:${MUTED};text-transform:uppercase;letter-spacing:0.5px">${n} · ${KIND_LABEL[action.kind]}</div>
<div style="font-size:17px;font-weight:700;margin:2px 0 4px">${escapeHtml(action.title)}</div>
<div>${escapeHtml(action.summary)}</div>
${notes(action)}<ul style="margin:6px 0 0;padding-left:18px;font-size:13px;color:${MUTED}">${evidence}</ul>
<div style="margin:8px 0 0;padding:6px 10px;background:#f0f4f8;font-size:14px">${escapeHtml(action.suggestion)}</div>
${contactLinks(action, links)}
</div>
</mj-text>`;
}

/** The newest note's first line on each contact of the action that has one (DESIGN section 9). */
function notes(action: Action): string {
  const on = (label: string): string | undefined => (action.contacts.length > 1 ? label : undefined);
  return action.contacts
    .filter((c) => c.note !== undefined)
    .map((c) => `<div style="margin:6px 0 0;padding:2px 0 2px 10px;border-left:2px solid #cbd2d9;font-size:14px;font-style:italic"><span style="font-style:normal;color:${MUTED}">${escapeHtml(yourNote(on(c.label)))}</span> ${escapeHtml(c.note!)}</div>\n`)
    .join('');
}

function contactLinks(action: Action, links: ReportLinks): string {
  const { contactAction: make, notes, keepPrivate } = links;
  if (!make && !notes && !keepPrivate) return '';
  return action.contacts
    .slice(0, 5)
    .map((c) => {
      const buttons = [
        ...(make ? [pill(make(c.address, 'fine'), 'This is fine'), pill(make(c.address, 'snooze'), 'Snooze 30 days'), pill(make(c.address, 'mute'), 'Mute')] : []),
        ...(notes ? [pill(notes(c.address), notesLinkLabel(c.note !== undefined))] : []),
        ...(keepPrivate ? [pill(keepPrivate(c.address), KEEP_PRIVATE)] : []),
      ].filter((p) => p !== '');
      const who = action.contacts.length > 1 ? `<span style="font-size:13px;color:${MUTED}">${escapeHtml(c.label)}:</span> ` : '';
      return `<div style="margin-top:4px">${who}${buttons.join(' ')}</div>`;
    })
    .join('');
}

function pictureSection(model: ReportModel): string {
  const p = model.picture;
  const blocks: string[] = [heading('The picture')];
  const change = p.change;
  const changeText = change ? ` (${signed(change.active)} since last week)` : model.firstWeek ? ` (${FIRST_WEEK})` : '';
  blocks.push(`<mj-text><strong style="font-size:20px">${p.active}</strong> active ${p.active === 1 ? 'relationship' : 'relationships'}${escapeHtml(changeText)}</mj-text>`);
  if (p.active === 0) blocks.push(`<mj-text font-size="14px" color="${MUTED}">${escapeHtml(noActivity(model.windowDays))}</mj-text>`);
  else blocks.push(distributionChart(p.distribution, p.active, change?.buckets));
  if (p.strongest.length > 0) blocks.push(subheading('Strongest'), healthBars(p.strongest));
  if (p.warming.length > 0) blocks.push(subheading('Warming'), nameList(p.warming, p.warmingCount));
  if (p.newThisWeekCount > 0) blocks.push(subheading('New this week'), nameList(p.newThisWeek, p.newThisWeekCount));
  if (p.singleThreaded.length > 0) {
    const shown = p.singleThreaded.slice(0, 5).map((a) => {
      const who = a.contact ? `: only ${escapeHtml(a.contact.fullName)}` : '';
      return `<li style="margin:0 0 2px"><strong>${escapeHtml(a.label)}</strong> (${escapeHtml(a.domain)})${who}</li>`;
    });
    const extra = p.singleThreaded.length > 5 ? `<li>and ${p.singleThreaded.length - 5} more</li>` : '';
    blocks.push(
      subheading('Single-threaded accounts'),
      `<mj-text><div style="${WRAP}"><div style="font-size:13px;color:${MUTED}">One departure away from losing the relationship with the organization.</div><ul style="margin:4px 0 0;padding-left:18px">${shown.join('')}${extra}</ul></div></mj-text>`,
    );
  }
  return `<mj-section background-color="#ffffff" padding="8px 0 20px"><mj-column>
${blocks.join('\n')}
</mj-column></mj-section>`;
}

function nameList(shown: PictureContact[], count: number): string {
  const extra = count > shown.length ? ` and ${count - shown.length} more` : '';
  return `<mj-text><div style="${WRAP}">${shown.map((c) => escapeHtml(c.fullName)).join(', ')}${extra}</div></mj-text>`;
}

function footerSection(model: ReportModel): string {
  const l = model.links;
  const links = [
    linkTo(l.manage, 'Manage or pause reports'),
    linkTo(l.pause, 'Pause weekly reports'),
    linkTo(l.unsubscribe, 'Unsubscribe'),
    linkTo(l.disconnect, 'Disconnect and delete my data'),
  ]
    .filter((x) => x !== '')
    .join(' · ');
  const ex = model.excluded;
  const left = ex.automated + ex.broadcast + ex.internal;
  const leftText = left > 0 ? ` It left out ${left} automated, broadcast or internal messages.` : '';
  // One short line of its own, so a long zone name wraps there rather than between the
  // other links on a phone.
  const zone = [escapeHtml(datesIn(model.timeZone)), linkTo(l.timeZone, CHANGE_TIME_ZONE)].filter((x) => x !== '').join(' · ');
  const linkLine = links ? `<div>${links}</div>` : '';
  const mailboxes = model.mailboxes.length === 0
    ? ''
    : `<div style="${WRAP}">${escapeHtml(MAILBOXES)}${model.mailboxes.map((m) => `<br>${escapeHtml(m.line)}`).join('')}</div>`;
  return `<mj-section padding="16px 0 24px"><mj-column>
<mj-text font-size="12px" color="${MUTED}"><div style="${WRAP}">${escapeHtml(READS)}${leftText} Sent to ${escapeHtml(model.user)}.</div>${mailboxes}</mj-text>
<mj-text font-size="13px" color="${MUTED}" line-height="2"><div style="${WRAP}">${zone}</div>${linkLine}</mj-text>
</mj-column></mj-section>`;
}
