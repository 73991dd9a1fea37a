import { escapeHtml, safeUrl } from './escape.ts';

/**
 * The look every Sinew email shares (the weekly report, the meeting brief): the MJML head
 * with its default attributes, the palette, and the link shapes. One place, so the two
 * emails read as one product and a change of style is made once (and recompiled for
 * each: lib/report/email-template.ts).
 */

export const FONT = "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
export const INK = '#1f2933';
export const MUTED = '#616e7c';
export const ACCENT = '#2b6cb0';
/** Long addresses and names wrap instead of widening a phone's viewport. */
export const WRAP = 'overflow-wrap:anywhere;word-break:break-word';

/** The MJML document around a body: title and preview (escaped here), shared head attributes. */
export function mjmlDocument(title: string, preview: string, body: string): string {
  return `<mjml lang="en">
<mj-head>
<mj-title>${escapeHtml(title)}</mj-title>
<mj-preview>${escapeHtml(preview)}</mj-preview>
<mj-attributes>
<mj-all font-family="${FONT}" />
<mj-text font-size="15px" line-height="1.5" color="${INK}" padding="6px 24px" />
<mj-section padding="0" />
<mj-table font-size="14px" color="${INK}" padding="6px 24px" />
</mj-attributes>
</mj-head>
<mj-body background-color="#f5f7fa" width="600px">
${body}
</mj-body>
</mjml>`;
}

/** A section heading. */
export function heading(text: string): string {
  return `<mj-text font-size="18px" font-weight="700" padding="14px 24px 4px">${escapeHtml(text)}</mj-text>`;
}

/** A smaller, muted heading inside a section. */
export function subheading(text: string): string {
  return `<mj-text font-size="14px" font-weight="700" color="${MUTED}" padding="12px 24px 2px">${escapeHtml(text)}</mj-text>`;
}

/** A link drawn as a small outlined button: a thumb-sized target on a phone. Nothing for an unsafe URL. */
export function pill(url: string | undefined, text: string): string {
  if (!safeUrl(url)) return '';
  return `<a href="${escapeHtml(url)}" style="display:inline-block;margin:4px 4px 0 0;padding:3px 10px;border:1px solid #cbd2d9;border-radius:14px;font-size:13px;color:${ACCENT};text-decoration:none;white-space:nowrap">${escapeHtml(text)}</a>`;
}

/**
 * The same button with a shorter style, for an email that repeats it many times (the
 * brief: three per attendee): its container sets the 13px font size and the line spacing.
 */
export function compactPill(url: string | undefined, text: string): string {
  if (!safeUrl(url)) return '';
  return `<a href="${escapeHtml(url)}" style="display:inline-block;padding:3px 10px;border:1px solid #cbd2d9;border-radius:14px;color:${ACCENT};text-decoration:none">${escapeHtml(text)}</a>`;
}

/** An inline link; nothing for an unsafe URL. */
export function linkTo(url: string | undefined, text: string): string {
  if (!safeUrl(url)) return '';
  return `<a href="${escapeHtml(url)}" style="color:${ACCENT};white-space:nowrap">${escapeHtml(text)}</a>`;
}
