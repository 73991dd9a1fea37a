import type { DemoMessage, Person } from './model.ts';
import { offsetMinutes, wallClock } from '#lib/time/wall-clock.ts';

/**
 * Writes messages as a Google Takeout mbox: a `From_` separator line, Takeout's
 * `X-GM-THRID` and `X-Gmail-Labels`, RFC 5322 headers (dates in the sender's own zone,
 * encoded-word display names, folded long lines) and a body escaped the mboxrd way
 * (`From ` at a line start, after any `>`s, gains one more `>`).
 */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ZONE_NAMES: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  'America/New_York': { [-300]: 'EST', [-240]: 'EDT' },
  'America/Chicago': { [-360]: 'CST', [-300]: 'CDT' },
  'Europe/London': { 0: 'GMT', 60: 'BST' },
  'Europe/Berlin': { 60: 'CET', 120: 'CEST' },
};

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** FNV-1a, 32 bits: a cheap stable hash to vary formatting per message without randomness. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * An RFC 5322 date in `tz`, in one of three shapes real mail uses (with and without the
 * day name, with a zone comment), chosen by `variant`.
 */
export function rfc5322Date(at: Date, tz: string, variant: number): string {
  const off = offsetMinutes(at, tz);
  const w = wallClock(at, tz);
  const sign = off < 0 ? '-' : '+';
  const zone = `${sign}${pad(Math.floor(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
  const core = `${w.day} ${MONTHS[w.month - 1]} ${w.year} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)} ${zone}`;
  const name = ZONE_NAMES[tz]?.[off] ?? (off === 0 ? 'UTC' : undefined);
  if (variant % 4 === 1) return core;
  if (variant % 4 === 2 && name) return `${DAYS[w.weekday]}, ${core} (${name})`;
  return `${DAYS[w.weekday]}, ${core}`;
}

/** The mbox separator's asctime date, always UTC as Takeout writes it. */
function asctime(at: Date): string {
  return `${DAYS[at.getUTCDay()]} ${MONTHS[at.getUTCMonth()]} ${pad(at.getUTCDate())} ${pad(at.getUTCHours())}:` +
    `${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} +0000 ${at.getUTCFullYear()}`;
}

/** A display name as a header word: quoted when it has specials, encoded when not ASCII. */
export function displayName(name: string): string {
  if (/[^\x20-\x7e]/.test(name)) {
    const bytes = [...Buffer.from(name, 'utf8')]
      .map((b) => (b === 0x20 ? '_' : /[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`))
      .join('');
    return `=?UTF-8?Q?${bytes}?=`;
  }
  return /[()<>[\]:;@\\,."]/.test(name) ? `"${name.replace(/(["\\])/g, '\\$1')}"` : name;
}

export function mailbox(p: Person): string {
  return p.name ? `${displayName(p.name)} <${p.address}>` : p.address;
}

/**
 * A header line, folded at spaces so lines stay within 78 characters where words allow
 * (RFC 5322 folding: unfolding removes the line break, keeping the space).
 */
export function header(name: string, value: string): string {
  const line = `${name}: ${value}`;
  if (line.length <= 78) return line;
  const words = value.split(' ');
  const lines: string[] = [];
  let cur = `${name}:`;
  for (const word of words) {
    if (cur.length + 1 + word.length > 78 && cur.length > name.length + 1) {
      lines.push(cur);
      cur = ` ${word}`;
    } else cur += ` ${word}`;
  }
  lines.push(cur);
  return lines.join('\n');
}

/** Escapes body lines the mboxrd way so no body line can pass for a separator. */
export function escapeBody(body: string): string {
  return body.replace(/^(>*From )/gm, '>$1');
}

/** The Gmail message id Takeout puts on the separator line. */
function gmailMessageId(m: DemoMessage): string {
  return ((BigInt(m.at.getTime()) << 20n) | BigInt(fnv1a(m.messageId) & 0xfffff)).toString();
}

/** One message as mbox text, ending with the blank line that precedes the next `From `. */
export function mboxEntry(m: DemoMessage, recipient: string): string {
  const h = fnv1a(m.messageId);
  const lines = [`From ${gmailMessageId(m)}@xxx ${asctime(m.at)}`];
  if (m.gmThreadId) lines.push(`X-GM-THRID: ${m.gmThreadId}`);
  lines.push(`X-Gmail-Labels: ${m.labels.join(',')}`);
  if (!m.labels.includes('Sent')) {
    const host = m.from.address.slice(m.from.address.lastIndexOf('@') + 1).toLowerCase();
    lines.push(`Delivered-To: ${recipient}`);
    lines.push(header('Received', `from mail.${host} (mail.${host}. [203.0.113.${h % 250}]) by mx.google.com with ESMTPS id ${(h >>> 3).toString(36)}; ${rfc5322Date(m.at, 'UTC', 0)}`));
  }
  lines.push('MIME-Version: 1.0');
  // The date's shape follows the sending client (sender and instant), not the copy, so a
  // message filed twice carries the same Date header.
  lines.push(`Date: ${rfc5322Date(m.at, m.from.tz, fnv1a(`${m.from.address}|${m.at.getTime()}`))}`);
  lines.push(`Message-ID: <${m.messageId}>`);
  if (m.inReplyTo) lines.push(`In-Reply-To: <${m.inReplyTo}>`);
  if (m.references.length > 0) lines.push(header('References', m.references.map((r) => `<${r}>`).join(' ')));
  lines.push(header('Subject', m.subject));
  lines.push(header('From', mailbox(m.from)));
  if (m.to.length > 0) lines.push(header('To', m.to.map(mailbox).join(', ')));
  if (m.cc.length > 0) lines.push(header('Cc', m.cc.map(mailbox).join(', ')));
  for (const [name, value] of m.extraHeaders) lines.push(header(name, value));
  const ascii = Buffer.byteLength(m.body, 'utf8') === m.body.length;
  lines.push('Content-Type: text/plain; charset="UTF-8"');
  lines.push(`Content-Transfer-Encoding: ${ascii ? '7bit' : '8bit'}`);
  lines.push('', escapeBody(m.body), '');
  return `${lines.join('\n')}\n`;
}
