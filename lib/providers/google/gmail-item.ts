import type { gmail_v1 } from '@googleapis/gmail';
import { messageIdsIn, normalizeMessageId, subjectHash } from '#lib/items/normalize.ts';
import { decodeWords, parseAddressList, repairEncoding } from '#lib/providers/files/address-list.ts';
import { bulkSignals } from '#lib/providers/files/mbox.ts';
import type { MailItem } from '#lib/items/types.ts';

/**
 * The headers a metadata sync asks for (DESIGN sections 3 and 8): addresses, threading,
 * the bulk signals, and Subject, which is only hashed, never stored.
 */
export const METADATA_HEADERS = [
  'From', 'To', 'Cc', 'Bcc', 'Date', 'Message-ID', 'In-Reply-To', 'References', 'Subject',
  'List-Id', 'List-Unsubscribe', 'Precedence', 'Auto-Submitted',
] as const;

/** The message fields a sync reads, for `fields=` partial responses. */
export const MESSAGE_FIELDS = 'id,threadId,labelIds,internalDate,payload/headers';

/**
 * Maps a Gmail message fetched with `format=metadata` to a {@link MailItem}; null when
 * it lacks an id or a usable internalDate (the payload is then not a message).
 */
export function gmailToMailItem(message: gmail_v1.Schema$Message, accountId: string): MailItem | null {
  const at = Number(message.internalDate);
  if (!message.id || !Number.isFinite(at) || at <= 0) return null;
  const h = new Map<string, string[]>();
  for (const header of message.payload?.headers ?? []) {
    if (!header.name || header.value == null) continue;
    const key = header.name.toLowerCase();
    h.set(key, [...(h.get(key) ?? []), header.value]);
  }
  const names: Record<string, string> = {};
  const collect = (name: string): string[] =>
    parseAddressList(all(h, name)).map((p) => {
      if (p.name && !names[p.address]) names[p.address] = p.name;
      return p.address;
    });
  const sender = parseAddressList(h.get('from')?.[0])[0];
  if (sender?.name) names[sender.address] = sender.name;
  const subject = h.get('subject')?.[0];
  return {
    kind: 'mail',
    accountId,
    source: 'gmail',
    providerId: message.id,
    messageId: normalizeMessageId(h.get('message-id')?.[0]),
    threadId: message.threadId ?? null,
    at: new Date(at).toISOString(),
    from: sender?.address ?? null,
    to: collect('to'),
    cc: collect('cc'),
    bcc: collect('bcc'),
    names,
    replyTo: [...new Set([...messageIdsIn(all(h, 'in-reply-to')), ...messageIdsIn(all(h, 'references'))])],
    subjectHash: subject === undefined ? null : subjectHash(decodeWords(repairEncoding(subject))),
    labels: [...(message.labelIds ?? [])],
    bulkSignals: bulkSignals(h),
  };
}

/** Every value of a header that may repeat, joined as one list. */
function all(h: Map<string, string[]>, name: string): string | undefined {
  const values = h.get(name);
  return values === undefined ? undefined : values.join(', ');
}
