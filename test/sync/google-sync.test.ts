import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectedGoogleRun, type GoogleRun } from '#test/support/google/sync-provider.ts';

/**
 * Issue 3, what only Google shows: the consent (PKCE, the refresh token sealed) and the
 * requests of an idle incremental sync. What every provider shows (backfill, new and
 * deleted mail, an expired cursor, throttling and a crash, a revoked grant) is in
 * provider-sync.test.ts.
 */
describe('Google: connect, sync, report', () => {
  let clean: GoogleRun;
  let cleanReport: string;
  beforeEach(async () => {
    clean = await connectedGoogleRun();
    const outcome = await clean.sync();
    expect(outcome.state).toBe('complete');
    cleanReport = await clean.report();
  }, 60_000);
  afterEach(async () => clean.close());

  it('connects with PKCE and stores the refresh token sealed, never in clear', async () => {
    const auth = clean.world.oauthEmulator.authorizations[0]!;
    expect(auth.params.code_challenge_method).toBe('S256');
    expect(auth.params.scope?.split(' ')).toContain('https://www.googleapis.com/auth/gmail.metadata');
    const stored = (await clean.store.getAccount(clean.account.userId, clean.account.accountId))!;
    const issued = clean.world.oauthEmulator.issuedRefreshTokens[0]!;
    expect(stored.encryptedToken).toBeTruthy();
    expect(stored.encryptedToken).not.toContain(issued);
    expect(JSON.stringify(stored)).not.toContain(issued);
  });

  it('an idle incremental sync costs one request per resource', async () => {
    const before = clean.world.emulator.requests.length;
    const outcome = await clean.sync();
    const made = clean.world.emulator.requests.slice(before).map((r) => r.path);
    expect(outcome.stats.read).toBe(0);
    expect(made.filter((p) => p.includes('/gmail/'))).toEqual([expect.stringMatching(/\/history$/)]);
    expect(made.filter((p) => p.includes('/calendar/'))).toHaveLength(1);
    expect(await clean.report()).toBe(cleanReport);
  });
});
