import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectedGrant } from '#lib/connect/consent.ts';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { isSameMailbox, recordConnectedAccount, type ConnectedAccount } from '#lib/connect/accounts.ts';
import { accountIdFor, accountIdForSubject, userIdFor } from '#lib/connect/identity.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';

const NOW = new Date(Date.UTC(2026, 10, 23, 9));
const S1 = '3f5c2b1a-7d6e-4c8b-9a0f-1e2d3c4b5a69/00000000-1111-4222-8333-444444444444';
const S2 = '3f5c2b1a-7d6e-4c8b-9a0f-1e2d3c4b5a69/99999999-1111-4222-8333-444444444444';

function grant(email: string, subject?: string): ConnectedGrant {
  return { refreshToken: `rt-${email}`, accessToken: 'at', expiresAt: undefined, email, grantedScopes: ['Mail.ReadBasic'], ...(subject ? { subject } : {}) };
}

describe('recordConnectedAccount: which account a Microsoft sign-in is', () => {
  let db: TestDynamo;
  const vault = LocalKeyVault.fromKey(randomBytes(32));
  beforeAll(async () => {
    db = await startTestDynamo();
  });
  afterAll(async () => db?.close());

  it('adopts an account recorded by address before subjects were kept, keeping its id, cursors and items', async () => {
    const store = db.store();
    const userId = userIdFor('lee@contoso.example');
    const legacyId = accountIdFor('microsoft', 'lee@contoso.example');
    await store.putUser({ userId, email: 'lee@contoso.example', timeZone: 'UTC', me: ['lee@contoso.example'], internalDomains: [], reportsPaused: false, createdAt: NOW.toISOString() });
    await store.putAccount({ userId, accountId: legacyId, provider: 'microsoft', address: 'lee@contoso.example', aliases: [], status: 'needs-reconnect', errorCount: 2, cursors: { inbox: 'delta-1' } });

    const first = await recordConnectedAccount(store, vault, { provider: 'microsoft', grant: grant('lee@contoso.example', S1), now: NOW, timeZone: 'UTC' });
    expect(first).toMatchObject({ createdUser: false, joined: false });
    expect(first.account).toMatchObject({ accountId: legacyId, subject: S1, status: 'active', cursors: { inbox: 'delta-1' } });

    // From now on the subject decides: another oid with the same address is another account.
    const other = await recordConnectedAccount(store, vault, { provider: 'microsoft', grant: grant('lee@contoso.example', S2), now: NOW, timeZone: 'UTC' });
    expect(other.account.accountId).toBe(accountIdForSubject('microsoft', S2));
    expect(other.joined).toBe(true);
    expect((await store.listAccounts(userId)).map((a) => a.accountId).sort()).toEqual([legacyId, accountIdForSubject('microsoft', S2)].sort());
  });

  it('never loses an unsubscribe written while a mailbox joins: only the changed attributes are written', async () => {
    const base = db.store();
    const userId = userIdFor('uma@acme.example');
    await base.putUser({ userId, email: 'uma@acme.example', timeZone: 'UTC', me: ['uma@acme.example'], internalDomains: [], reportsPaused: false, createdAt: NOW.toISOString() });
    // The person unsubscribes from another tab just after the join read the profile.
    const racing = Object.create(base) as typeof base;
    racing.getUser = async (id: string) => {
      const read = await base.getUser(id);
      await base.updateUser(id, { set: { reportsPaused: true, unsubscribedAt: NOW.toISOString() } });
      return read;
    };
    const { user } = await recordConnectedAccount(racing, vault, { provider: 'google', grant: grant('uma.home@example.org'), now: NOW, timeZone: 'UTC', joinUserId: userId });
    expect(user.me).toEqual(['uma.home@example.org', 'uma@acme.example']);
    expect(await base.getUser(userId)).toMatchObject({ reportsPaused: true, unsubscribedAt: NOW.toISOString(), me: ['uma.home@example.org', 'uma@acme.example'] });
  });

  it('tells the same mailbox by subject where both have one, else by address', () => {
    const account = (over: Partial<ConnectedAccount>): ConnectedAccount => ({ userId: 'u', accountId: 'a', provider: 'microsoft', address: 'a@b.example', aliases: [], status: 'active', errorCount: 0, cursors: {}, ...over });
    expect(isSameMailbox(account({ subject: S1 }), { provider: 'microsoft', address: 'new@b.example', subject: S1 })).toBe(true);
    expect(isSameMailbox(account({ subject: S1 }), { provider: 'microsoft', address: 'a@b.example', subject: S2 })).toBe(false);
    expect(isSameMailbox(account({ subject: S1 }), { provider: 'microsoft', address: 'a@b.example' })).toBe(false);
    expect(isSameMailbox(account({}), { provider: 'microsoft', address: 'a@b.example', subject: S1 })).toBe(true);
    expect(isSameMailbox(account({ provider: 'google' }), { provider: 'google', address: 'a@b.example' })).toBe(true);
    expect(isSameMailbox(account({ provider: 'google' }), { provider: 'google', address: 'c@b.example' })).toBe(false);
    expect(isSameMailbox(account({ provider: 'google' }), { provider: 'microsoft', address: 'a@b.example' })).toBe(false);
  });
});
