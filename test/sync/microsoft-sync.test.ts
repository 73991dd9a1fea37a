import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectedMicrosoftRun, type MicrosoftRun } from '#test/support/microsoft/sync-provider.ts';

/**
 * Issue 4, what only Microsoft 365 shows: the consent through the identity emulator (the
 * real MSAL, PKCE, the MSAL cache sealed) and the requests of an idle incremental sync.
 * What every provider shows (backfill, new and deleted mail, an expired cursor, throttling
 * and a crash, a revoked grant) is in provider-sync.test.ts.
 */
describe('Microsoft: connect, sync, report', () => {
  let clean: MicrosoftRun;
  let cleanReport: string;
  beforeEach(async () => {
    clean = await connectedMicrosoftRun();
    const outcome = await clean.sync();
    expect(outcome.state).toBe('complete');
    cleanReport = await clean.report();
  }, 60_000);
  afterEach(async () => clean.close());

  it('connects with PKCE and stores the MSAL cache sealed: no refresh token in clear', async () => {
    const stored = (await clean.store.getAccount(clean.account.userId, clean.account.accountId))!;
    expect(stored.provider).toBe('microsoft');
    expect(stored.grantedScopes).toEqual(expect.arrayContaining(['Mail.ReadBasic', 'Calendars.ReadBasic']));
    expect(stored.encryptedToken).toBeTruthy();
    expect(JSON.stringify(stored)).not.toMatch(/rt-[A-Za-z0-9_-]{20}/);
    expect(JSON.stringify(stored)).not.toContain('RefreshToken');
    const codeGrants = clean.world.identity.tokenRequests.filter((r) => r.grantType === 'authorization_code');
    expect(codeGrants).toHaveLength(1);
    const authorize = clean.world.emulator.requests.find((r) => r.path.endsWith('/oauth2/v2.0/authorize'))!;
    expect(authorize.query.get('code_challenge_method')).toBe('S256');
    expect(authorize.query.get('scope')?.split(' ')).toContain('Mail.ReadBasic');
  });

  it('an idle incremental sync costs one request per folder and one for the calendar', async () => {
    const before = clean.world.emulator.requests.length;
    const outcome = await clean.sync();
    const made = clean.world.emulator.requests.slice(before).filter((r) => r.path.startsWith('/v1.0/'));
    expect(outcome.stats.read).toBe(0);
    const mailDeltas = made.filter((r) => r.path.endsWith('/messages/delta'));
    expect(mailDeltas.length).toBe(made.filter((r) => r.path.includes('/mailFolders/')).length);
    expect(new Set(mailDeltas.map((r) => r.path)).size).toBe(mailDeltas.length);
    expect(made.filter((r) => r.path.includes('/calendarView/'))).toHaveLength(1);
    expect(made).toHaveLength(mailDeltas.length + 1);
    expect(await clean.report()).toBe(cleanReport);
  });
});
