import type { MailItem } from '#lib/items/types.ts';
import type { Account, Store, User } from '#lib/store/types.ts';
import { accountIdFor, userIdFor } from '#lib/connect/identity.ts';

/** A link key for tests (32 bytes). */
export const LINK_SECRET = Buffer.from('test-link-secret-0123456789abcdef-0123456789');

const DAY = 86_400_000;

/**
 * A person with a mailbox and a few weeks of mail with two contacts (so the report has
 * relationships to count), as a connect and a sync would leave them.
 */
export async function seedUser(
  store: Store,
  opts: { email: string; timeZone: string; asOf: Date; reportsPaused?: boolean; contacts?: string[] },
): Promise<{ user: User; account: Account }> {
  const userId = userIdFor(opts.email);
  const user: User = {
    userId,
    email: opts.email,
    timeZone: opts.timeZone,
    me: [opts.email],
    internalDomains: [],
    reportsPaused: opts.reportsPaused ?? false,
    createdAt: new Date(opts.asOf.getTime() - 200 * DAY).toISOString(),
  };
  await store.putUser(user);
  const account: Account = {
    userId,
    accountId: accountIdFor('google', opts.email),
    provider: 'google',
    address: opts.email,
    aliases: [],
    status: 'active',
    errorCount: 0,
    cursors: {},
    lastSyncAt: new Date(opts.asOf.getTime() - DAY).toISOString(),
  };
  await store.putAccount(account);
  const items: MailItem[] = [];
  const contacts = opts.contacts ?? ['ann@acme.com', 'raj@beta.io'];
  contacts.forEach((contact, c) => {
    for (let i = 0; i < 8; i += 1) {
      const at = new Date(opts.asOf.getTime() - (60 - i * 7 - c) * DAY).toISOString();
      const outbound = i % 2 === 0;
      items.push(mailItem(account.accountId, `${c}-${i}`, at, outbound ? opts.email : contact, outbound ? contact : opts.email, outbound));
    }
  });
  await store.putItems(userId, items);
  return { user, account };
}

/** One more message, e.g. a new contact in the second week. */
export function mailItem(accountId: string, id: string, at: string, from: string, to: string, outbound: boolean): MailItem {
  return {
    kind: 'mail',
    accountId,
    source: 'gmail',
    providerId: `p-${id}`,
    messageId: `m-${id}@mail.example.com`,
    threadId: `t-${id}`,
    at,
    from,
    to: [to],
    cc: [],
    bcc: [],
    names: {},
    replyTo: [],
    subjectHash: `s-${id}`,
    labels: outbound ? ['SENT'] : ['INBOX'],
    bulkSignals: [],
  };
}
