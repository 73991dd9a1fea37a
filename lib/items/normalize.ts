import { createHash } from 'node:crypto';

/** Public webmail domains: never an organization, so never internal or an account. */
export const PUBLIC_WEBMAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com',
  'yahoo.com', 'ymail.com', 'icloud.com', 'me.com', 'mac.com', 'aol.com', 'proton.me',
  'protonmail.com', 'gmx.com', 'gmx.net', 'gmx.de', 'web.de', 'mail.com', 'yandex.com',
  'yandex.ru', 'zoho.com', 'fastmail.com', 'hey.com', 'qq.com', '163.com', 'orange.fr',
  'free.fr', 'btinternet.com', 'comcast.net', 'verizon.net', 'att.net', 'hotmail.co.uk',
  'yahoo.co.uk', 'live.co.uk', 'outlook.fr', 'hotmail.fr', 'yahoo.fr', 'libero.it',
]);

/**
 * Normalizes an address per DESIGN section 3: trim, drop the display name and angle
 * brackets, lower-case; for gmail.com and googlemail.com drop dots and any `+tag` in the
 * local part and map to gmail.com. Returns null when the text holds no `local@domain`.
 */
export function normalizeAddress(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let s = raw.trim();
  const angle = /<([^<>]*)>\s*$/.exec(s);
  if (angle) s = angle[1]!.trim();
  s = s.replace(/^mailto:/i, '').replace(/^["']+|["']+$/g, '').trim().toLowerCase();
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1 || /\s/.test(s)) return null;
  let local = s.slice(0, at);
  let domain = s.slice(at + 1).replace(/\.$/, '');
  if (domain === 'gmail.com' || domain === 'googlemail.com') {
    local = local.split('+')[0]!.replace(/\./g, '');
    domain = 'gmail.com';
    if (!local) return null;
  }
  return `${local}@${domain}`;
}

/** The domain of a normalized address. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/** The local part of a normalized address. */
export function localPartOf(address: string): string {
  return address.slice(0, address.lastIndexOf('@'));
}

/** Normalizes an RFC 822 Message-ID: trimmed, without angle brackets, lower-cased. */
export function normalizeMessageId(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const m = /<([^<>\s]+)>/.exec(raw);
  const id = (m ? m[1]! : raw.trim()).toLowerCase();
  return id.length > 0 && !/\s/.test(id) ? id : null;
}

/** Every Message-ID named in an In-Reply-To or References header, normalized. */
export function messageIdsIn(raw: string | null | undefined): string[] {
  if (!raw) return [];
  const ids = [...raw.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!.toLowerCase());
  return [...new Set(ids)];
}

const REPLY_PREFIX = /^\s*((re|fwd?|aw|wg|sv|vs|tr|rif|antw|r)\s*(\[\d+\])?\s*:\s*)+/i;

/**
 * Hash of a subject with `Re:`/`Fwd:` prefixes (and common localized ones) removed,
 * whitespace folded and case ignored: the thread key where a source gives no thread.
 * The subject itself is never stored. Null for an empty subject.
 */
export function subjectHash(subject: string | null | undefined): string | null {
  if (subject == null) return null;
  let s = subject.replace(/\s+/g, ' ').trim();
  let prev: string;
  do {
    prev = s;
    s = s.replace(REPLY_PREFIX, '').trim();
  } while (s !== prev);
  if (!s) return null;
  return shortHash(s.toLowerCase());
}

/** A short, stable hex hash (SHA-256, first 16 bytes) for deterministic keys. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
