// Imported once at module load (about 200 ms); each render then costs a few ms.
import mjml2html from 'mjml';
import { SinewError } from '../errors.ts';
import type { Action } from './actions.ts';
import { bucketOf, type BucketCount, type PictureContact, type ReportLinks, type ReportModel } from './model.ts';
import { subjectOf } from './subject.ts';
import { plural } from './phrasing.ts';

/**
 * The HTML part of the weekly email, written in MJML so the result is the table layout
 * with inline CSS that Gmail, Outlook and Apple Mail all render. Charts are table cells
 * with percentage widths: no SVG, no script, no images to block. Every string that came
 * from mail (names, addresses, domains) goes through {@link escapeHtml}.
 */

const FONT = "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
const INK = '#1f2933';
const MUTED = '#616e7c';
const ACCENT = '#2b6cb0';
const TRACK = '#e4e7eb';
const BAR: Record<string, string> = { strong: '#2f855a', ok: '#d69e2e', weak: '#c53030' };
const KIND_LABEL: Record<Action['kind'], string> = {
  'owed-reply': 'Owed reply',
  fading: 'Fading',
  'awaiting-reply': 'Awaiting reply',
  'no-face-time': 'No face-time',
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Renders the model as an HTML email. MJML validates strictly; a template it rejects is
 * our bug, reported as a {@link SinewError} with MJML's messages.
 */
export async function renderHtml(model: ReportModel): Promise<string> {
  const source = mjmlOf(model);
  let result: Awaited<ReturnType<typeof mjml2html>>;
  try {
    result = await mjml2html(source, { validationLevel: 'strict', fonts: {}, keepComments: false });
  } catch (cause) {
    throw new SinewError(`report template rejected by MJML: ${(cause as Error).message}`, { cause });
  }
  if (result.errors.length > 0) {
    throw new SinewError(`report template has MJML errors: ${result.errors.map((e) => e.formattedMessage).join('; ')}`);
  }
  return result.html;
}

/** The MJML source of the email; exported for tests that check the template itself. */
export function mjmlOf(model: ReportModel): string {
  const subject = subjectOf(model);
  const preview = model.actions[0]?.suggestion ?? 'Nothing needs you this week.';
  return `<mjml lang="en">
<mj-head>
<mj-title>${escapeHtml(subject)}</mj-title>
<mj-preview>${escapeHtml(preview)}</mj-preview>
<mj-attributes>
<mj-all font-family="${FONT}" />
<mj-text font-size="15px" line-height="1.5" color="${INK}" padding="6px 24px" />
<mj-section padding="0" />
<mj-table font-size="14px" color="${INK}" padding="6px 24px" />
</mj-attributes>
</mj-head>
<mj-body background-color="#f5f7fa" width="600px">
<mj-section background-color="#ffffff" padding="20px 0 8px">
<mj-column>
<mj-text font-size="13px" color="${MUTED}">SINEW · WEEK OF ${escapeHtml(model.weekOf.toUpperCase())}</mj-text>
<mj-text font-size="22px" font-weight="700" line-height="1.3">${escapeHtml(subject)}</mj-text>
</mj-column>
</mj-section>
${reconnectSection(model)}
${actionsSection(model)}
${pictureSection(model)}
${footerSection(model)}
</mj-body>
</mjml>`;
}

function reconnectSection(model: ReportModel): string {
  if (model.needsReconnect.length === 0) return '';
  const who = model.needsReconnect.map((a) => `<strong>${escapeHtml(a)}</strong>`).join(', ');
  const link = linkTo(model.links.reconnect, 'Reconnect now');
  return `<mj-section background-color="#fffbea" padding="10px 0">
<mj-column><mj-text>⚠ Sinew can no longer read ${who}, so this report may be out of date. ${link}</mj-text></mj-column>
</mj-section>`;
}

function actionsSection(model: ReportModel): string {
  const head = heading('What to do this week');
  if (model.emptyWeek) {
    return `<mj-section background-color="#ffffff" padding="8px 0 16px"><mj-column>${head}
<mj-text><strong>Nothing needs you this week.</strong> No one is waiting on a reply and no strong relationship is going quiet.</mj-text>
</mj-column></mj-section>`;
  }
  const items = model.actions.map((a, i) => actionBlock(a, i + 1, model.links)).join('\n');
  const more =
    model.omittedActions > 0
      ? `<mj-text font-size="13px" color="${MUTED}">${plural(model.omittedActions, 'more action')} below these five are in the JSON export.</mj-text>`
      : '';
  return `<mj-section background-color="#ffffff" padding="8px 0 16px"><mj-column>${head}
${items}
${more}
</mj-column></mj-section>`;
}

function actionBlock(action: Action, n: number, links: ReportLinks): string {
  const evidence = action.evidence.map((e) => `<li style="margin:0 0 2px">${escapeHtml(e)}</li>`).join('');
  return `<mj-text padding="12px 24px 4px">
<div style="font-size:12px;color:${MUTED};text-transform:uppercase;letter-spacing:0.5px">${n}. ${KIND_LABEL[action.kind]}</div>
<div style="font-size:17px;font-weight:700;margin:2px 0">${escapeHtml(action.title)}</div>
<div>${escapeHtml(action.suggestion)}</div>
<ul style="margin:6px 0 0;padding-left:18px;font-size:13px;color:${MUTED}">${evidence}</ul>
${contactLinks(action, links)}
</mj-text>`;
}

function contactLinks(action: Action, links: ReportLinks): string {
  const make = links.contactAction;
  if (!make) return '';
  const rows = action.contacts.slice(0, 5).map((c) => {
    const parts = [
      linkTo(make(c.address, 'fine'), 'This is fine'),
      linkTo(make(c.address, 'snooze'), 'Snooze 30 days'),
      linkTo(make(c.address, 'mute'), 'Mute'),
    ].filter((p) => p !== '');
    const who = action.contacts.length > 1 ? `${escapeHtml(c.displayName)}: ` : '';
    return `<div style="font-size:12px;color:${MUTED};margin-top:4px">${who}${parts.join(' · ')}</div>`;
  });
  return rows.join('');
}

function pictureSection(model: ReportModel): string {
  const p = model.picture;
  const blocks: string[] = [heading('The picture')];
  const change = p.change;
  const changeText = change
    ? ` (${signed(change.active)} since last week)`
    : model.firstWeek
      ? ' (your first report: next week shows what changed)'
      : '';
  blocks.push(`<mj-text><strong style="font-size:20px">${p.active}</strong> active ${p.active === 1 ? 'relationship' : 'relationships'}${escapeHtml(changeText)}</mj-text>`);
  if (p.active > 0) blocks.push(distributionTable(p.distribution, p.active, change?.buckets));
  if (p.strongest.length > 0) blocks.push(subheading('Strongest'), contactBars(p.strongest));
  if (p.warming.length > 0) {
    const extra = p.warmingCount > p.warming.length ? ` and ${p.warmingCount - p.warming.length} more` : '';
    blocks.push(subheading('Warming'), `<mj-text>${p.warming.map((c) => nameWithAddress(c)).join(', ')}${extra}</mj-text>`);
  }
  if (p.newThisWeekCount > 0) {
    const extra = p.newThisWeekCount > p.newThisWeek.length ? ` and ${p.newThisWeekCount - p.newThisWeek.length} more` : '';
    blocks.push(subheading('New this week'), `<mj-text>${p.newThisWeek.map((c) => nameWithAddress(c)).join(', ')}${extra}</mj-text>`);
  }
  if (p.singleThreaded.length > 0) {
    const shown = p.singleThreaded.slice(0, 5).map((a) => {
      const who = a.contact ? `: only ${nameWithAddress(a.contact)}` : '';
      return `<li style="margin:0 0 2px"><strong>${escapeHtml(a.label)}</strong> (${escapeHtml(a.domain)})${who}</li>`;
    });
    const extra = p.singleThreaded.length > 5 ? `<li>and ${p.singleThreaded.length - 5} more</li>` : '';
    blocks.push(
      subheading('Single-threaded accounts'),
      `<mj-text><div style="font-size:13px;color:${MUTED}">One departure away from losing the relationship with the organization.</div><ul style="margin:4px 0 0;padding-left:18px">${shown.join('')}${extra}</ul></mj-text>`,
    );
  }
  return `<mj-section background-color="#ffffff" padding="8px 0 20px"><mj-column>
${blocks.join('\n')}
</mj-column></mj-section>`;
}

function distributionTable(buckets: BucketCount[], total: number, change: Record<string, number> | undefined): string {
  const rows = buckets.map((b) => {
    const delta = change ? ` <span style="color:${MUTED}">(${signed(change[b.bucket] ?? 0)})</span>` : '';
    return `<tr><td style="width:130px;padding:3px 8px 3px 0;white-space:nowrap">${escapeHtml(b.label)}</td>
<td style="padding:3px 0">${bar((100 * b.count) / total, BAR[b.bucket]!)}</td>
<td style="width:70px;padding:3px 0 3px 8px;text-align:right;white-space:nowrap">${b.count}${delta}</td></tr>`;
  });
  return `<mj-table>${rows.join('\n')}</mj-table>`;
}

function contactBars(contacts: PictureContact[]): string {
  const rows = contacts.map(
    (c) => `<tr><td style="width:170px;padding:3px 8px 3px 0" title="${escapeHtml(c.address)}">${escapeHtml(c.fullName)}</td>
<td style="padding:3px 0">${bar(c.health, BAR[bucketOf(c.health)]!)}</td>
<td style="width:40px;padding:3px 0 3px 8px;text-align:right">${c.health}</td></tr>`,
  );
  return `<mj-table>${rows.join('\n')}</mj-table>`;
}

/** An email-safe horizontal bar: two table cells whose widths are percentages. */
function bar(percent: number, color: string): string {
  const p = Math.max(0, Math.min(100, Math.round(percent)));
  const cell = (width: number, bg: string): string =>
    `<td width="${width}%" style="width:${width}%;background:${bg};height:12px;font-size:0;line-height:0">&nbsp;</td>`;
  const cells = (p > 0 ? cell(p, color) : '') + (p < 100 ? cell(100 - p, TRACK) : '');
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse"><tr>${cells}</tr></table>`;
}

function footerSection(model: ReportModel): string {
  const links = [linkTo(model.links.manage, 'Manage or pause reports'), linkTo(model.links.unsubscribe, 'Unsubscribe')]
    .filter((l) => l !== '')
    .join(' · ');
  const ex = model.excluded;
  const left = ex.automated + ex.broadcast + ex.internal;
  return `<mj-section padding="16px 0 24px"><mj-column>
<mj-text font-size="12px" color="${MUTED}">Sinew reads metadata only: senders, recipients, times and meeting attendees. It never reads subjects or message bodies.${left > 0 ? ` It left out ${left} automated, broadcast or internal messages.` : ''} Sent to ${escapeHtml(model.user)}.</mj-text>
${links ? `<mj-text font-size="12px" color="${MUTED}">${links}</mj-text>` : ''}
</mj-column></mj-section>`;
}

function heading(text: string): string {
  return `<mj-text font-size="18px" font-weight="700" padding="14px 24px 4px">${escapeHtml(text)}</mj-text>`;
}

function subheading(text: string): string {
  return `<mj-text font-size="14px" font-weight="700" color="${MUTED}" padding="12px 24px 2px">${escapeHtml(text)}</mj-text>`;
}

function nameWithAddress(c: PictureContact): string {
  return c.fullName === c.address ? escapeHtml(c.address) : `${escapeHtml(c.fullName)}`;
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '±0';
}

/**
 * A link only when the deployment gave a URL, and only http(s) or mailto: a
 * `javascript:` URL must never reach an email, whoever built it.
 */
function linkTo(url: string | undefined, text: string): string {
  if (!url || !/^(https?:|mailto:)/i.test(url)) return '';
  return `<a href="${escapeHtml(url)}" style="color:${ACCENT}">${escapeHtml(text)}</a>`;
}
