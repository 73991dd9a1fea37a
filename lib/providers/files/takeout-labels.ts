/**
 * Google Takeout writes a message's Gmail labels into `X-Gmail-Labels` by their display
 * names, comma-separated (`Archived,Sent,Opened,Category Promotions`). The classifier
 * speaks the Gmail API's system label ids (`SENT`, `CATEGORY_PROMOTIONS`), so file
 * imports and API sync are judged by one rule set.
 */

const SYSTEM_LABELS: Readonly<Record<string, string>> = {
  inbox: 'INBOX',
  sent: 'SENT',
  trash: 'TRASH',
  spam: 'SPAM',
  draft: 'DRAFT',
  drafts: 'DRAFT',
  important: 'IMPORTANT',
  starred: 'STARRED',
  unread: 'UNREAD',
  chat: 'CHAT',
  'category promotions': 'CATEGORY_PROMOTIONS',
  'category social': 'CATEGORY_SOCIAL',
  'category updates': 'CATEGORY_UPDATES',
  'category forums': 'CATEGORY_FORUMS',
  'category personal': 'CATEGORY_PERSONAL',
};

/**
 * Takeout-only markers with no Gmail API label: `Opened` is the absence of `UNREAD`,
 * `Archived` the absence of `INBOX`.
 */
const DROPPED = new Set(['opened', 'archived']);

/**
 * Maps raw `X-Gmail-Labels` header values to Gmail API label names; user labels are kept
 * as written. A label holding a comma is quoted by Takeout (`"Clients, 2024"`).
 */
export function takeoutLabels(values: readonly string[] | undefined): string[] {
  if (!values || values.length === 0) return [];
  const out = new Set<string>();
  for (const value of values) {
    for (const raw of splitLabels(value)) {
      const label = raw.trim();
      if (!label) continue;
      const key = label.toLowerCase().replace(/\s+/g, ' ');
      if (DROPPED.has(key)) continue;
      out.add(SYSTEM_LABELS[key] ?? label);
    }
  }
  return [...out];
}

function splitLabels(value: string): string[] {
  if (!value.includes('"')) return value.split(',');
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}
