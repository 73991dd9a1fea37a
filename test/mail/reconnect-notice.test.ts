import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLink } from '#lib/links/token.ts';
import { MailDeliveryError } from '#lib/mail/errors.ts';
import { composeEmail } from '#lib/mail/compose.ts';
import type { Mailer, OutgoingEmail } from '#lib/mail/mailer.ts';
import { sendReconnectNotice, type ReconnectNoticeDeps } from '#lib/mail/reconnect-notice.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { LINK_SECRET, seedUser } from '#test/support/report-job-fixtures.ts';

let db: TestDynamo;
let store: DynamoStore;
const now = new Date('2026-11-24T10:00:00Z');

class RecordingMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  failNext: Error | undefined;
  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = undefined;
      throw e;
    }
    this.sent.push(email);
    return { messageId: `m${this.sent.length}` };
  }
}

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
});
afterAll(async () => db.close());

function deps(mailer: Mailer): ReconnectNoticeDeps {
  return { store, mailer, sender: 'reports@sinew.example.com', baseUrl: 'https://sinew.example.com', secret: LINK_SECRET, now: () => now };
}

describe('sendReconnectNotice', () => {
  it('sends one notice per transition, with a signed link into the connect flow', async () => {
    const { user, account } = await seedUser(store, { email: 'ann@acme.com', timeZone: 'UTC', asOf: now, contacts: [] });
    const mailer = new RecordingMailer();
    // Still active: nothing to say.
    expect(await sendReconnectNotice(deps(mailer), user.userId, account.accountId)).toBe(false);

    await store.putAccount({ ...account, status: 'needs-reconnect', errorCount: 1 });
    const results = await Promise.all([1, 2, 3].map(() => sendReconnectNotice(deps(mailer), user.userId, account.accountId)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await sendReconnectNotice(deps(mailer), user.userId, account.accountId)).toBe(false);
    expect(mailer.sent).toHaveLength(1);

    const email = mailer.sent[0]!;
    expect(email.to).toBe('ann@acme.com');
    expect(email.subject).toMatch(/Reconnect ann@acme\.com/);
    const parsed = await simpleParser(await composeEmail(email));
    const link = /https:\/\/sinew\.example\.com\/connect\/google\?link=[^\s"<>]+/.exec(parsed.text ?? '')![0];
    expect(parsed.html).toContain(link.replace(/&/g, '&#38;'));
    const claims = verifyLink(LINK_SECRET, new URL(link).searchParams.get('link')!, now.getTime() + 20 * 86_400_000);
    // A reconnect of exactly this account: the connect page refuses any other mailbox.
    expect(claims).toMatchObject({ action: 'reconnect', userId: user.userId, accountId: account.accountId });
    expect(email.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');

    // Reconnected, synced, broken again: a new transition, a new notice.
    await store.putAccount({ ...account, status: 'needs-reconnect', errorCount: 1, lastSyncAt: '2026-12-01T00:00:00.000Z' });
    expect(await sendReconnectNotice(deps(mailer), user.userId, account.accountId)).toBe(true);
    expect(mailer.sent).toHaveLength(2);
  });

  it('sends nothing to a paused user, for a file import, or for an unknown account', async () => {
    const { user, account } = await seedUser(store, { email: 'quiet@acme.com', timeZone: 'UTC', asOf: now, contacts: [], reportsPaused: true });
    await store.putAccount({ ...account, status: 'needs-reconnect' });
    const mailer = new RecordingMailer();
    expect(await sendReconnectNotice(deps(mailer), user.userId, account.accountId)).toBe(false);
    const other = await seedUser(store, { email: 'files@acme.com', timeZone: 'UTC', asOf: now, contacts: [] });
    await store.putAccount({ ...other.account, provider: 'files', status: 'needs-reconnect' });
    expect(await sendReconnectNotice(deps(mailer), other.user.userId, other.account.accountId)).toBe(false);
    expect(await sendReconnectNotice(deps(mailer), other.user.userId, 'no-such-account')).toBe(false);
    expect(mailer.sent).toHaveLength(0);
  });

  it('gives the claim back when the transport refused, so the next call sends', async () => {
    const { user, account } = await seedUser(store, { email: 'retry@acme.com', timeZone: 'UTC', asOf: now, contacts: [] });
    await store.putAccount({ ...account, status: 'needs-reconnect' });
    const mailer = new RecordingMailer();
    mailer.failNext = new MailDeliveryError('throttled', true);
    await expect(sendReconnectNotice(deps(mailer), user.userId, account.accountId)).rejects.toThrow(MailDeliveryError);
    expect(await sendReconnectNotice(deps(mailer), user.userId, account.accountId)).toBe(true);
    expect(mailer.sent).toHaveLength(1);
  });
});
