import type { AttendeeView, BriefModel, MeetingView } from './render-model.ts';
import { escapeHtml } from '#lib/report/escape.ts';
import { compactPill, linkTo, MUTED, mjmlDocument, WRAP } from '#lib/report/email-style.ts';
import { renderCompiled, type TemplateOrigin } from '#lib/report/email-template.ts';
import { noteHtml } from '#lib/notes/text.ts';
import { BRIEF_EMAIL_TEMPLATE } from './email-template.generated.ts';
import { BRIEF_MAILBOXES, BRIEF_READS, LINK_LABELS, NO_MEETINGS, YOUR_NOTES, colleaguesWho, timesIn } from './render-words.ts';

/**
 * The HTML part of the brief: MJML written here, rendered from the template compiled at
 * build time with the weekly email's machinery (lib/report/email-template.ts), so no MJML
 * ships. Same look as the weekly email (lib/report/email-style.ts); every string from mail
 * or from the person (names, addresses, notes) is escaped; unsafe links are left out.
 */

/** The brief's compiled template: its generator, generated file and test. */
export const BRIEF_EMAIL: TemplateOrigin = {
  name: 'meeting brief email',
  recompile: 'npx tsx test/brief/compile-email-template.ts --write',
  writer: 'lib/brief/render-html.ts',
  test: 'test/brief/email-template.test.ts',
  importFrom: '#lib/report/email-template.ts',
  constant: 'BRIEF_EMAIL_TEMPLATE',
};

const BORDER = { first: '#6b46c1', owed: '#c05621', known: '#2b6cb0' } as const;

/** The brief as HTML: MJML's rendering of {@link briefMjml}, byte for byte. */
export function renderBriefHtml(model: BriefModel): string {
  return renderCompiled(BRIEF_EMAIL_TEMPLATE, briefMjml(model), BRIEF_EMAIL);
}

/** The MJML source of the brief; exported for the tests that validate it strictly with MJML. */
export function briefMjml(model: BriefModel): string {
  // One section holds every meeting: a section per meeting would add 1.5 KB of MJML's
  // table markup each, and a long day must stay under Gmail's 102 KB clipping.
  const meetings = model.meetings.length > 0
    ? `<mj-section background-color="#ffffff" padding="4px 0 16px"><mj-column>
${model.meetings.map(meetingBlock).join('\n')}
</mj-column></mj-section>`
    : `<mj-section background-color="#ffffff" padding="8px 0 16px"><mj-column><mj-text>${escapeHtml(NO_MEETINGS)}</mj-text></mj-column></mj-section>`;
  return mjmlDocument(model.subject, model.preview, `<mj-section background-color="#ffffff" padding="20px 0 8px">
<mj-column>
<mj-text font-size="13px" color="${MUTED}">SINEW · MEETING BRIEF · ${escapeHtml(model.dayLabel.toUpperCase())}</mj-text>
<mj-text font-size="22px" font-weight="700" line-height="1.3"><div style="${WRAP}">${escapeHtml(model.subject)}</div></mj-text>
</mj-column>
</mj-section>
${noticeSection(model)}
${meetings}
${footerSection(model)}`);
}

function noticeSection(model: BriefModel): string {
  if (model.notices.length === 0) return '';
  const notices = model.notices.map((n) => `<mj-text><div style="${WRAP}">⚠ ${escapeHtml(n)}</div></mj-text>`).join('\n');
  return `<mj-section background-color="#fffbea" padding="10px 0">
<mj-column>${notices}</mj-column>
</mj-section>`;
}

/**
 * A meeting as one block: its heading, its attendees, its account lines. One block, not
 * three: MJML writes 0.4 KB of table markup around each, and a day of ten meetings must
 * stay clear of Gmail's 102 KB clipping.
 */
function meetingBlock(m: MeetingView): string {
  const accounts = m.accounts.length > 0
    ? `<div style="margin:8px 0 0;font-size:13px;color:${MUTED}">${m.accounts.map(escapeHtml).join('<br>')}</div>`
    : '';
  // The classes mark a meeting and an attendee for the screenshot tests; mail clients ignore them.
  return `<mj-text padding="14px 24px 6px"><div style="${WRAP}"><div class="sinew-meeting" style="border-top:1px solid #e4e7eb;padding-top:12px"><div style="font-size:20px;font-weight:700">${escapeHtml(m.time)}</div><div style="font-size:14px;color:${MUTED}">${escapeHtml(m.withLine)}</div></div>
${m.attendees.map(attendeeBlock).join('\n')}
${accounts}</div></mj-text>`;
}

function attendeeBlock(a: AttendeeView): string {
  const border = !a.known ? BORDER.first : a.sentences.some((s) => s.startsWith('You owe')) ? BORDER.owed : BORDER.known;
  const [lead, ...rest] = a.sentences;
  // The lead sentence starts with the person's full label: bold it, as a heading would be.
  const leadHtml = lead === undefined
    ? ''
    : lead.startsWith(a.label)
      ? `<strong style="font-size:16px">${escapeHtml(a.label)}</strong>${escapeHtml(lead.slice(a.label.length))}`
      : escapeHtml(lead);
  const notes = a.notes.length > 0
    ? `<div style="margin:8px 0 0;padding:6px 10px;background:#f0f4f8;font-size:14px"><div style="font-size:12px;color:${MUTED};text-transform:uppercase;letter-spacing:0.5px">${escapeHtml(YOUR_NOTES)}</div>${a.notes
      .map((n) => `<div style="margin:4px 0 0"><span style="color:${MUTED}">${escapeHtml(n.when)}:</span> ${noteHtml(n.text)}</div>`)
      .join('')}</div>`
    : '';
  const colleagues = a.colleagues.length > 0
    ? `<div style="margin:6px 0 0;font-size:14px;color:${MUTED}">${escapeHtml(colleaguesWho(a.first))}: ${a.colleagues.map(escapeHtml).join(', ')}</div>`
    : '';
  const pills = [compactPill(a.links.note, a.links.noteLabel), compactPill(a.links.fine, LINK_LABELS.fine), compactPill(a.links.mute, LINK_LABELS.mute)].filter((p) => p !== '');
  const links = pills.length > 0 ? `<div style="font-size:13px;line-height:2.2">${pills.join(' ')}</div>` : '';
  return `<div class="sinew-attendee" style="border-left:3px solid ${border};padding-left:12px;margin:10px 0 4px">
<div>${[leadHtml, ...rest.map(escapeHtml)].join('<br>')}</div>
${notes}${colleagues}${links}
</div>`;
}

function footerSection(model: BriefModel): string {
  const l = model.links;
  const links = [linkTo(l.briefsOff, LINK_LABELS.briefsOff), linkTo(l.pause, LINK_LABELS.pause), linkTo(l.unsubscribe, LINK_LABELS.unsubscribe)]
    .filter((x) => x !== '')
    .join(' · ');
  const mailboxes = model.mailboxes.length === 0
    ? ''
    : `<div style="${WRAP}">${escapeHtml(BRIEF_MAILBOXES)}${model.mailboxes.map((m) => `<br>${escapeHtml(m)}`).join('')}</div>`;
  const linkLine = links ? `<div>${links}</div>` : '';
  return `<mj-section padding="16px 0 24px"><mj-column>
<mj-text font-size="12px" color="${MUTED}"><div style="${WRAP}">${escapeHtml(BRIEF_READS)} Sent to ${escapeHtml(model.user)}.</div>${mailboxes}</mj-text>
<mj-text font-size="13px" color="${MUTED}" line-height="2"><div style="${WRAP}">${escapeHtml(timesIn(model.timeZone))}.</div>${linkLine}</mj-text>
</mj-column></mj-section>`;
}
