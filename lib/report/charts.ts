import { bucketOf, type BucketCount, type HealthBucket, type PictureContact } from './model.ts';
import { escapeHtml } from './escape.ts';
import { signed } from './wording.ts';

/**
 * Email-safe charts: horizontal bars drawn as table cells with percentage widths. No
 * SVG, no script, no images to block, so Gmail, Outlook and Apple Mail all draw them.
 * Each function returns an `<mj-table>` for the HTML part.
 */

const MUTED = '#616e7c';
const TRACK = '#e4e7eb';
/** Long names wrap inside their cell instead of widening a phone's viewport. */
const WRAP = 'overflow-wrap:anywhere;word-break:break-word';
export const BAR_COLOR: Record<HealthBucket, string> = { strong: '#2f855a', ok: '#d69e2e', weak: '#c53030' };

/** The health distribution: one bar per bucket, with the change since last week when known. */
export function distributionChart(buckets: BucketCount[], total: number, change: Record<HealthBucket, number> | undefined): string {
  const rows = buckets.map((b) => {
    const delta = change ? ` <span style="color:${MUTED}">(${signed(change[b.bucket])})</span>` : '';
    return `<tr><td style="width:120px;padding:3px 8px 3px 0;white-space:nowrap">${escapeHtml(b.label)}</td>
<td style="padding:3px 0">${bar((100 * b.count) / Math.max(1, total), BAR_COLOR[b.bucket])}</td>
<td style="width:64px;padding:3px 0 3px 8px;text-align:right;white-space:nowrap">${b.count}${delta}</td></tr>`;
  });
  return `<mj-table>${rows.join('\n')}</mj-table>`;
}

/** Contacts with a bar of their health score out of 100. */
export function healthBars(contacts: PictureContact[]): string {
  const rows = contacts.map(
    (c) => `<tr><td style="width:150px;padding:3px 8px 3px 0;${WRAP}" title="${escapeHtml(c.address)}">${escapeHtml(c.fullName)}</td>
<td style="padding:3px 0">${bar(c.health, BAR_COLOR[bucketOf(c.health)])}</td>
<td style="width:32px;padding:3px 0 3px 8px;text-align:right">${c.health}</td></tr>`,
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
