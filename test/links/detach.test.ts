import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { ProviderUnavailableError } from '#lib/errors.ts';
import type { TokenRevoker } from '#lib/links/disconnect.ts';
import { signLink } from '#lib/links/token.ts';
import { tokenContext } from '#lib/connect/accounts.ts';
import type { MailItem } from '#lib/items/types.ts';
import type { Account } from '#lib/store/types.ts';
import type { WebRequest } from '#lib/web/http.ts';
import { createLinksApp, type LinksAppDeps } from '#lib/web/links-app.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { aUser, anAccount } from './fixtures.ts';
import { partition } from './partition.ts';

/**
 * The undo of a join (the link in both join notices): GET shows what it will do and
 * changes nothing; POST detaches that one mailbox from the person: its Google grant
 * revoked, its account and sealed token deleted, its items deleted, its address no longer
 * the person's own; the person and their other mailboxes stay as they were.
 */
const SECRET = Buffer.alloc(32, 7);
const T0 = Date.UTC(2026, 10, 23, 9);
const ORIGIN = 'https://links.example';

function mail(accountId: string, providerId: string, from: string): MailItem {
  return {
    kind: 'mail', accountId, source: 'gmail', providerId, messageId: `${providerId}@x`, threadId: 't1',
    at: new Date(T0 - 86_400_000).toISOString(), from, to: ['ann@acme.com'], cc: [], bcc: [], names: {}, replyTo: [],
    subjectHash: null, labels: ['INBOX'], bulkSignals: [],
  };
}

describe('detach: the undo of a join', () => {
  let db: TestDynamo;
  const vault = LocalKeyVault.fromKey(randomBytes(32));
  const revoked: string[] = [];
  let revoker: TokenRevoker = { revoke: async (t) => void revoked.push(t) };
  const userId = 'u-detach';
  let primary: Account;
  let joined: Account;

  beforeAll(async () => {
    db = await startTestDynamo();
    const store = db.store();
    await store.putUser(aUser(userId, { email: 'ann@acme.com', me: ['ann@acme.com', 'annprivate@gmail.com', 'ann.alias@gmail.com'] }));
    primary = anAccount(userId, 'google', 'ann@acme.com');
    primary.encryptedToken = await vault.seal('rt-primary', tokenContext(primary));
    joined = anAccount(userId, 'google', 'annprivate@gmail.com', { aliases: ['ann.alias@gmail.com'] });
    joined.encryptedToken = await vault.seal('rt-joined', tokenContext(joined));
    await store.putAccount(primary);
    await store.putAccount(joined);
    await store.putItems(userId, [mail(primary.accountId, 'p1', 'cy@x.example'), mail(joined.accountId, 'j1', 'dee@y.example'), mail(joined.accountId, 'j2', 'eve@z.example')]);
  });
  afterAll(async () => db?.close());

  function app(): (r: WebRequest) => Promise<import('#lib/web/http.ts').WebResponse> {
    const deps: LinksAppDeps = { store: db.store(), vault, revoker: async () => revoker, now: () => new Date(T0), linkSecret: async () => SECRET };
    return createLinksApp(deps);
  }
  const request = (method: string, token: string): WebRequest => ({ method, path: `/l/${token}`, query: {}, headers: {}, cookies: {}, origin: ORIGIN, ...(method === 'POST' ? { body: '' } : {}) });
  const token = (): string => signLink(SECRET, { action: 'detach', userId, accountId: joined.accountId }, { now: T0 });

  it('GET names the mailbox and whose reports it leaves, and changes nothing', async () => {
    const before = await partition(db, userId);
    const res = await app()(request('GET', token()));
    expect(res.status).toBe(200);
    expect(res.body).toContain('<span class="who">annprivate@gmail.com</span>');
    expect(res.body).toContain('the weekly reports of <span class="who">ann@acme.com</span>');
    expect(res.body).toContain('Detach this mailbox');
    expect(await partition(db, userId)).toStrictEqual(before);
    expect(revoked).toEqual([]);
  });

  it('stops before deleting anything when Google cannot be reached, so the grant can still be revoked', async () => {
    const before = await partition(db, userId);
    revoker = { revoke: async () => Promise.reject(new ProviderUnavailableError('Google is unavailable', 503)) };
    try {
      const res = await app()(request('POST', token()));
      expect(res.status).toBe(503);
      expect(await partition(db, userId)).toStrictEqual(before);
    } finally {
      revoker = { revoke: async (t) => void revoked.push(t) };
    }
  });

  it('POST revokes the grant and deletes the account, its token and its items; the person and the other mailbox stay', async () => {
    const res = await app()(request('POST', token()));
    expect(res.status, res.body).toBe(200);
    expect(res.body).toContain('Mailbox detached');
    expect(res.body).toContain('access revoked');
    expect(res.body).toContain('2 items deleted');
    expect(revoked).toEqual(['rt-joined']);

    const store = db.store();
    expect((await store.listAccounts(userId)).map((a) => a.accountId)).toEqual([primary.accountId]);
    const items = [];
    for await (const item of store.queryItems(userId)) items.push(item.providerId);
    expect(items).toEqual(['p1']);
    expect(await store.getUser(userId)).toMatchObject({ email: 'ann@acme.com', me: ['ann@acme.com'] });
    const records = JSON.stringify(await partition(db, userId));
    expect(records).not.toContain(joined.accountId);
    expect(records).not.toContain('annprivate');

    // The same link again finds nothing to do.
    const again = await app()(request('POST', token()));
    expect(again.status).toBe(200);
    expect(again.body).toContain('already been used');
    expect(revoked).toEqual(['rt-joined']);
    const page = await app()(request('GET', token()));
    expect(page.body).toContain('no longer part of those reports');
  });
});
