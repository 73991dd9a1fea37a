import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '#lib/cli/main.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { buildMailbox } from '#test/support/google/gmail-fixture.ts';
import { CalendarState } from '#test/support/google/calendar-state.ts';
import { consentInBrowser, startGoogleWorld, TEST_CLIENT, type GoogleWorld } from '#test/support/google/world.ts';

/**
 * The CLI path a person takes: `sinew connect gmail --no-browser` (the test plays the
 * browser with the printed address), `sinew sync`, `sinew report`, all against the
 * loopback Google emulators configured through SINEW_GOOGLE_* variables.
 */
describe('sinew connect gmail, sync, report', () => {
  const AS_OF = Date.UTC(2026, 10, 23, 7);
  let world: GoogleWorld;
  let dir: string;
  const clock = new VirtualClock(AS_OF);
  const saved = { ...process.env };

  beforeAll(async () => {
    world = await startGoogleWorld({
      mailbox: buildMailbox({ messages: 300, seed: 9, asOf: AS_OF }),
      calendar: new CalendarState({ owner: 'me@example.com', clock }),
      clock,
    });
    dir = await mkdtemp(join(tmpdir(), 'sinew-cli-google-'));
    Object.assign(process.env, {
      SINEW_GOOGLE_CLIENT_ID: TEST_CLIENT.clientId,
      SINEW_GOOGLE_CLIENT_SECRET: TEST_CLIENT.clientSecret,
      SINEW_GOOGLE_AUTH_URL: `${world.emulator.url}o/oauth2/v2/auth`,
      SINEW_GOOGLE_TOKEN_URL: `${world.emulator.url}token`,
      SINEW_GOOGLE_API_ROOT: world.emulator.url,
    });
  });
  afterAll(async () => {
    process.env = saved;
    await world.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** How `sinew sync` prints a time. */
  const utcMinute = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

  /** Runs the CLI; when it prints the consent address, follows it like a browser would. */
  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      const text = String(chunk);
      stdout += text;
      const url = /(http:\/\/127\.0\.0\.1:\d+\/o\/oauth2\/v2\/auth\?\S+)/.exec(text)?.[1];
      if (url) void consentInBrowser(url);
      return true;
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    try {
      const code = await main(['node', 'sinew', '--data', dir, ...args], () => new Date(AS_OF), clock);
      return { code, stdout, stderr };
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  }

  it('connects, syncs, and reports from the synced mailbox', async () => {
    const connect = await cli(['connect', 'gmail', '--no-browser', '--time-zone', 'Europe/Paris']);
    expect(connect.code, connect.stderr).toBe(0);
    expect(connect.stdout).toMatch(/connected me@example\.com/);
    expect((await stat(join(dir, 'master.key'))).mode & 0o077).toBe(0);

    const sync = await cli(['sync']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/me@example\.com: up to date, \d+ items/);

    const again = await cli(['sync']);
    expect(again.stdout).toMatch(/up to date, 0 items/);
    const syncedAt = /; last successful sync (\d{4}-\d\d-\d\d \d\d:\d\d UTC)$/m.exec(again.stdout)?.[1];
    expect(syncedAt, again.stdout).toBeDefined();

    // Google keeps failing (every retry of the pacer gets a 503): each run says when the
    // mailbox last synced, fails so a scheduled run is noticed, and after a day of failures
    // calls the mailbox stale.
    const failAll = () => world.emulator.fault({ path: '/history', status: 503, times: 8 });
    clock.advance(3_600_000);
    const firstFailureStart = clock.now();
    failAll();
    const failed = await cli(['sync']);
    const firstFailureEnd = clock.now();
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(`me@example.com: sync failed (`);
    expect(failed.stdout).toContain(`; last successful sync ${syncedAt}`);
    expect(failed.stdout).not.toMatch(/stale/);
    expect(failed.stderr.trim()).toBe('sinew: 1 of 1 mailboxes failed to sync (me@example.com); what was synced before is kept, and the next `sinew sync` tries again');
    clock.advance(24 * 3_600_000);
    failAll();
    const stale = await cli(['sync']);
    expect(stale.code).toBe(1);
    const staleSince = new RegExp(`; last successful sync ${syncedAt}; stale since (\\S+ \\S+) UTC \\(every sync since has failed\\)$`, 'm').exec(stale.stdout)?.[1];
    expect(staleSince, stale.stdout).toBeDefined();
    // Stale since the first failure (the run's own retries took a minute or two).
    const since = Date.parse(`${staleSince!.replace(' ', 'T')}Z`);
    expect(since).toBeGreaterThanOrEqual(Math.floor(firstFailureStart / 60_000) * 60_000);
    expect(since).toBeLessThanOrEqual(firstFailureEnd);
    const recovered = await cli(['sync']);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stdout).toContain(`me@example.com: up to date`);
    expect(recovered.stdout).toContain(`; last successful sync ${utcMinute(clock.now())}`);
    expect(recovered.stdout).not.toMatch(/stale/);

    const json = join(dir, 'report.json');
    const report = await cli(['report', '--as-of', '2026-11-23T07:00:00Z', '--json', json]);
    expect(report.code, report.stderr).toBe(0);
    const parsed = JSON.parse(await readFile(json, 'utf8'));
    expect(parsed.user).toBe('me@example.com');
    expect(parsed.contacts.length).toBeGreaterThan(0);

    // The user revokes Sinew's access: the account's line says how to reconnect, and the
    // run fails with one line so a scheduled `sinew sync` is noticed.
    world.oauthEmulator.revokeAllGrants();
    const revoked = await cli(['sync']);
    expect(revoked.code).toBe(1);
    expect(revoked.stdout).toMatch(/me@example\.com: access was revoked or expired; run `sinew connect gmail` to reconnect/);
    expect(revoked.stderr.trim().split('\n')).toEqual(['sinew: 1 of 1 mailboxes need reconnecting (me@example.com); what was synced before is kept']);
    const still = await cli(['report', '--as-of', '2026-11-23T07:00:00Z', '--json', json]);
    expect(still.code, still.stderr).toBe(0);
    expect(JSON.parse(await readFile(json, 'utf8')).contacts.length).toBe(parsed.contacts.length);
  });

  it('refuses an unknown provider and a missing client id with one line each', async () => {
    const bad = await cli(['connect', 'yahoo']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim()).toMatch(/^sinew: sinew connect: unknown provider 'yahoo'/);
    const id = process.env.SINEW_GOOGLE_CLIENT_ID;
    delete process.env.SINEW_GOOGLE_CLIENT_ID;
    const missing = await cli(['connect', 'gmail', '--no-browser']);
    process.env.SINEW_GOOGLE_CLIENT_ID = id;
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim()).toMatch(/SINEW_GOOGLE_CLIENT_ID/);
  });
});
