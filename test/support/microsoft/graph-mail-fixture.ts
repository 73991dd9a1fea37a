/**
 * The Gmail test mailboxes as Exchange would hold them, so the same mail can be synced
 * through both emulators and the reports compared (provider independence). Labels
 * become folders (INBOX → Inbox, SENT → Sent Items, TRASH → Deleted Items, SPAM → Junk
 * Email, DRAFT → Drafts), the category tabs become Focused Inbox `other`, headers become
 * Graph's properties (and stay in `internetMessageHeaders`), and the From addresses of
 * sent mail join `proxyAddresses`, as the Gmail side learns them from SENT.
 */
import { parseAddressList } from '#lib/providers/files/address-list.ts';
import { buildMailbox } from '#test/support/google/gmail-fixture.ts';
import type { MailboxSpec } from '#test/support/google/gmail-fixture.ts';
import type { GmailMailbox, StoredMessage } from '#test/support/google/gmail-mailbox.ts';
import { GraphMailbox } from './graph-mailbox.ts';
import type { GraphRecipient } from './graph-mailbox.ts';

const CATEGORIES = new Set(['CATEGORY_PROMOTIONS', 'CATEGORY_SOCIAL', 'CATEGORY_UPDATES', 'CATEGORY_FORUMS']);

/** The well-known folder a Gmail message would sit in. */
export function folderForLabels(labelIds: string[]): string {
  if (labelIds.includes('DRAFT')) return 'drafts';
  if (labelIds.includes('SPAM')) return 'junkemail';
  if (labelIds.includes('TRASH')) return 'deleteditems';
  if (labelIds.includes('SENT')) return 'sentitems';
  return 'inbox';
}

/**
 * A Graph mailbox holding `gmail`'s messages. Times: both `receivedDateTime` and
 * `sentDateTime` are Gmail's internalDate to the millisecond (OData's DateTimeOffset
 * carries fractions), so both sides date each message alike.
 */
export function graphMailboxFromGmail(gmail: GmailMailbox): GraphMailbox {
  const me = gmail.emailAddress;
  const messages = [...gmail.messages.values()].sort((a, b) => a.internalDate - b.internalDate || a.id.localeCompare(b.id));
  const aliases = new Set<string>();
  for (const m of messages) {
    if (!m.labelIds.includes('SENT')) continue;
    const from = parseAddressList(header(m, 'From'))[0]?.address;
    if (from && from !== me) aliases.add(from);
  }
  const box = new GraphMailbox(me, [`SMTP:${me}`, ...[...aliases].sort().map((a) => `smtp:${a}`)]);
  for (const m of messages) {
    const at = new Date(m.internalDate).toISOString();
    box.addMessage({
      folder: folderForLabels(m.labelIds),
      subject: header(m, 'Subject') ?? null,
      from: recipients(header(m, 'From'))[0] ?? null,
      toRecipients: recipients(header(m, 'To')),
      ccRecipients: recipients(header(m, 'Cc')),
      bccRecipients: recipients(header(m, 'Bcc')),
      sentDateTime: at,
      receivedDateTime: at,
      internetMessageId: header(m, 'Message-ID') ?? null,
      conversationId: `conv-${m.threadId}`,
      inferenceClassification: m.labelIds.some((l) => CATEGORIES.has(l)) ? 'other' : 'focused',
      isDraft: m.labelIds.includes('DRAFT'),
      isRead: !m.labelIds.includes('UNREAD'),
      internetMessageHeaders: m.headers.map((h) => ({ name: h.name, value: h.value })),
    });
  }
  return box;
}

/** {@link buildMailbox}'s mailbox for `spec`, as Exchange would hold it. */
export function buildGraphMailbox(spec: MailboxSpec): GraphMailbox {
  return graphMailboxFromGmail(buildMailbox(spec));
}

function header(m: StoredMessage, name: string): string | undefined {
  const values = m.headers.filter((h) => h.name.toLowerCase() === name.toLowerCase()).map((h) => h.value);
  return values.length === 0 ? undefined : values.join(', ');
}

/** Exchange writes the address as the name when a message carries none. */
function recipients(raw: string | undefined): GraphRecipient[] {
  return parseAddressList(raw).map((p) => ({ emailAddress: { name: p.name ?? p.address, address: p.address } }));
}
