import type { Message, Recipient } from '@microsoft/microsoft-graph-types';
import { messageIdsIn, normalizeAddress, normalizeMessageId, subjectHash } from '#lib/items/normalize.ts';
import { bulkSignals } from '#lib/providers/files/mbox.ts';
import type { MailItem } from '#lib/items/types.ts';

/**
 * The message properties a sync selects (DESIGN sections 3 and 8): addresses, times,
 * threading, folder, Focused Inbox and draft state, the subject (only hashed, never
 * stored) and `internetMessageHeaders` for the bulk signals and In-Reply-To/References.
 * All of them are readable under `Mail.ReadBasic`, which withholds bodies only.
 */
export const MESSAGE_SELECT = [
  'from', 'toRecipients', 'ccRecipients', 'bccRecipients', 'sentDateTime', 'receivedDateTime',
  'internetMessageId', 'conversationId', 'parentFolderId', 'inferenceClassification', 'isDraft',
  'subject', 'internetMessageHeaders',
] as const;

/** Where a message was read from, for its labels and time. */
export interface FolderContext {
  /** Well-known name (`inbox`, `sentitems`, `deleteditems`, `archive`), or null for other folders. */
  wellKnown: string | null;
}

/**
 * True when a delta entry carries the message itself. A tracked round may return, for a
 * message whose flags changed (read, categories), only its id and the changed
 * properties; such an entry says nothing a report uses and is skipped.
 */
export function isFullRepresentation(m: Message): boolean {
  return typeof m.id === 'string' && (typeof m.receivedDateTime === 'string' || typeof m.sentDateTime === 'string');
}

/**
 * Maps a Graph message (selected with {@link MESSAGE_SELECT}) to a {@link MailItem}; null
 * for an entry without an id or a usable time. `labels`: `folder:<wellKnown>` of the
 * folder it was read from, `folder:drafts` for an unsent draft wherever it sits, and
 * `inference:other` when Focused Inbox put it in Other.
 */
export function graphToMailItem(m: Message, accountId: string, folder: FolderContext): MailItem | null {
  if (!m.id || !isFullRepresentation(m)) return null;
  const sent = folder.wellKnown === 'sentitems';
  const when = sent ? (m.sentDateTime ?? m.receivedDateTime) : (m.receivedDateTime ?? m.sentDateTime);
  const t = Date.parse(when ?? '');
  if (!Number.isFinite(t)) return null;
  const names: Record<string, string> = {};
  const collect = (list: Recipient[] | null | undefined): string[] => {
    const out: string[] = [];
    for (const r of list ?? []) {
      const address = normalizeAddress(r.emailAddress?.address);
      if (!address) continue;
      const name = displayName(r, address);
      if (name && !names[address]) names[address] = name;
      out.push(address);
    }
    return out;
  };
  const from = normalizeAddress(m.from?.emailAddress?.address);
  const to = collect(m.toRecipients);
  const cc = collect(m.ccRecipients);
  const bcc = collect(m.bccRecipients);
  if (from && m.from) {
    const name = displayName(m.from, from);
    if (name) names[from] = name;
  }
  const h = new Map<string, string[]>();
  for (const header of m.internetMessageHeaders ?? []) {
    if (!header.name || header.value == null) continue;
    const key = header.name.toLowerCase();
    h.set(key, [...(h.get(key) ?? []), header.value]);
  }
  const labels: string[] = [];
  if (folder.wellKnown) labels.push(`folder:${folder.wellKnown}`);
  if (m.isDraft === true && folder.wellKnown !== 'drafts') labels.push('folder:drafts');
  if (m.inferenceClassification === 'other') labels.push('inference:other');
  return {
    kind: 'mail',
    accountId,
    source: 'graph-mail',
    providerId: m.id,
    messageId: normalizeMessageId(m.internetMessageId),
    threadId: m.conversationId ?? null,
    at: new Date(t).toISOString(),
    from,
    to,
    cc,
    bcc,
    names,
    replyTo: [...new Set([...messageIdsIn(all(h, 'in-reply-to')), ...messageIdsIn(all(h, 'references'))])],
    subjectHash: m.subject == null ? null : subjectHash(m.subject),
    labels,
    bulkSignals: bulkSignals(h),
  };
}

/**
 * Exchange fills `name` with the address itself when a message carries no display name;
 * that is not a name.
 */
function displayName(r: Recipient, address: string): string | undefined {
  const name = r.emailAddress?.name?.trim();
  if (!name || name.toLowerCase() === address || name.toLowerCase() === r.emailAddress?.address?.toLowerCase()) return undefined;
  return name;
}

function all(h: Map<string, string[]>, name: string): string | undefined {
  const values = h.get(name);
  return values === undefined ? undefined : values.join(', ');
}

/**
 * Own addresses from `/me`: `mail`, `userPrincipalName` when it is an address, and
 * every `smtp:`/`SMTP:` entry of `proxyAddresses` (`SMTP:` marks the primary; other
 * prefixes such as `x500:` or `sip:` are not mail addresses), normalized.
 */
export function ownAddresses(me: { mail?: string | null; userPrincipalName?: string | null; proxyAddresses?: string[] | null }): string[] {
  const out = new Set<string>();
  const add = (raw: string | null | undefined): void => {
    const a = normalizeAddress(raw);
    if (a) out.add(a);
  };
  add(me.mail);
  if (me.userPrincipalName && !me.userPrincipalName.includes('#EXT#')) add(me.userPrincipalName);
  for (const p of me.proxyAddresses ?? []) {
    const m = /^smtp:(.+)$/i.exec(p.trim());
    if (m) add(m[1]);
  }
  return [...out].sort();
}
