import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalStore } from '#lib/local/store.ts';
import type { Account } from '#lib/store/types.ts';
import { systemClock } from '#lib/time/clock.ts';
import { runCli, spawnCli, type CliRun } from '#test/support/cli.ts';
import { buildGraphMailbox } from '#test/support/microsoft/graph-mail-fixture.ts';
import { consentInMsBrowser, startMicrosoftWorld, type MicrosoftWorld } from '#test/support/microsoft/world.ts';

/**
 * The CLI path a person takes with Microsoft 365: `sinew connect microsoft --no-browser`
 * (the test plays the browser with the printed address), `sinew sync`, `sinew report`,
 * against the https Microsoft emulators configured through SINEW_MS_* and
 * SINEW_GRAPH_BASE_URL.
 *
 * The CLI takes no CA option: MSAL's default network client and the Graph client both use
 * Node's global fetch, which trusts the public roots plus NODE_EXTRA_CA_CERTS, read only
 * when a process starts. So the CLI runs as a child process (bin/sinew.js) with the
 * emulator's self-signed certificate in NODE_EXTRA_CA_CERTS, exactly as a user behind a
 * TLS-inspecting proxy would run it. The child runs on the real clock, so the emulator
 * does too (no throttling, no latency: nothing waits).
 */
describe('sinew connect microsoft, sync, report (child process, https emulators)', () => {
  const ME = 'me@example.com';
  const AS_OF = Date.UTC(2026, 10, 23, 7);
  let world: MicrosoftWorld;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    world = await startMicrosoftWorld({
      mailbox: buildGraphMailbox({ messages: 150, seed: 9, asOf: AS_OF }),
      clock: systemClock,
      throttle: false,
    });
    dir = await mkdtemp(join(tmpdir(), 'sinew-cli-ms-'));
    const caFile = join(dir, 'emulator-ca.pem');
    await writeFile(caFile, world.emulator.ca);
    env = {
      NODE_EXTRA_CA_CERTS: caFile,
      SINEW_MS_CLIENT_ID: world.identity.clientId,
      SINEW_MS_AUTHORITY: `${world.emulator.url}/common`,
      SINEW_GRAPH_BASE_URL: world.emulator.graphUrl,
    };
  });
  afterAll(async () => {
    await world?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Runs the CLI; when it prints the consent address, follows it like a browser would. */
  function cli(args: string[]): Promise<CliRun> {
    let seen = '';
    let followed = false;
    return spawnCli(['--data', join(dir, 'data'), ...args], {
      env,
      onStdout: (chunk) => {
        seen += chunk;
        // The address is printed on its own line: wait for the line to end before following it.
        const url = /(https:\/\/127\.0\.0\.1:\d+\/common\/oauth2\/v2\.0\/authorize\?\S+)\n/.exec(seen)?.[1];
        if (url && !followed) {
          followed = true;
          void consentInMsBrowser(world, url);
        }
      },
    });
  }

  /**
   * What the CLI's local store holds between runs (each run has closed it): the items of
   * the default user, and the connected account.
   */
  async function stored(): Promise<{ items: number; account: Account }> {
    const data = join(dir, 'data');
    const { defaultUser } = JSON.parse(await readFile(join(data, 'cli.json'), 'utf8')) as { defaultUser: string };
    const local = await openLocalStore({ tableName: 'sinew', path: data });
    try {
      let items = 0;
      for await (const _ of local.store.queryItems(defaultUser)) items++;
      const [account] = (await local.store.listAccounts(defaultUser)).filter((a) => a.provider === 'microsoft');
      return { items, account: account! };
    } finally {
      await local.close();
    }
  }

  /** Items read by one `sinew sync` (`me@example.com: up to date, N items (...)`). */
  function itemsRead(run: CliRun): number {
    const m = /me@example\.com: up to date, (\d+) items \((\d+) new or changed, (\d+) unchanged\)/.exec(run.stdout);
    expect(m, run.stdout + run.stderr).not.toBeNull();
    return Number(m![1]);
  }

  it('connects, syncs twice (the second changes nothing), reports, then reports a revoked consent in one line', async () => {
    const connect = await cli(['connect', 'microsoft', '--no-browser', '--time-zone', 'Europe/Paris']);
    expect(connect.code, connect.stderr).toBe(0);
    expect(connect.stdout).toMatch(/Open this address to connect your Microsoft 365 account:/);
    expect(connect.stdout).toMatch(/connected me@example\.com; run `sinew sync`/);
    expect((await stat(join(dir, 'data', 'master.key'))).mode & 0o077).toBe(0);
    // PKCE S256 and the metadata-only scopes went to the emulator's authorize endpoint.
    const authorize = world.emulator.requests.find((r) => r.path.endsWith('/oauth2/v2.0/authorize'))!;
    expect(authorize.query.get('code_challenge_method')).toBe('S256');
    expect(authorize.query.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['Mail.ReadBasic', 'offline_access']));
    expect(world.identity.tokenRequests.filter((r) => r.grantType === 'authorization_code')).toHaveLength(1);

    const first = await cli(['sync']);
    expect(first.code, first.stderr).toBe(0);
    const backfilled = itemsRead(first);
    expect(backfilled).toBeGreaterThan(50);
    expect(first.stdout).toContain(`(${backfilled} new or changed, 0 unchanged)`);
    const afterFirst = await stored();
    expect(afterFirst.items).toBeGreaterThan(50);
    expect(afterFirst.account.status).not.toBe('needs-reconnect');
    expect(afterFirst.account.cursors['graph-mail']).toMatch(/deltatoken/i);

    const again = await cli(['sync']);
    expect(again.code, again.stderr).toBe(0);
    expect(itemsRead(again)).toBe(0); // the delta links hold: nothing new, nothing re-read
    expect(again.stdout).toContain('(0 new or changed, 0 unchanged)');
    expect((await stored()).items).toBe(afterFirst.items);

    const json = join(dir, 'report.json');
    // The report makes no network call: in-process is enough, and saves a child's start-up.
    const report = await runCli(['--data', join(dir, 'data'), 'report', '--as-of', new Date(AS_OF).toISOString(), '--json', json]);
    expect(report.code, report.stderr).toBe(0);
    const parsed = JSON.parse(await readFile(json, 'utf8')) as { user: string; contacts: { address: string }[] };
    expect(parsed.user).toBe(ME);
    expect(parsed.contacts.length).toBeGreaterThan(5);
    // Every reported contact is someone the seeded mailbox exchanged mail with.
    const seeded = new Set(
      [...world.mailbox.messages.values()].flatMap((m) =>
        [m.from, ...m.toRecipients, ...(m.ccRecipients ?? [])].flatMap((r) => (r ? [r.emailAddress.address.toLowerCase()] : []))),
    );
    for (const c of parsed.contacts) expect(seeded.has(c.address)).toBe(true);

    world.identity.revoke(ME, 'consent');
    const revoked = await cli(['sync']);
    // The account's state on stdout; the run fails with one line naming it, so cron notices.
    expect(revoked.code, revoked.stderr).toBe(1);
    expect(revoked.stderr.trim().split('\n')).toEqual([`sinew: 1 of 1 mailboxes need reconnecting (${ME}); what was synced before is kept`]);
    const lines = revoked.stdout.split('\n').filter((l) => l.startsWith(`${ME}:`));
    expect(lines).toEqual([expect.stringMatching(/^me@example\.com: access was revoked or expired; run `sinew connect microsoft` to reconnect \(0 items/)]);
    expect(world.identity.tokenRequests.at(-1)?.grantType).toBe('refresh_token');
    const afterRevoke = await stored();
    expect(afterRevoke.account.status).toBe('needs-reconnect');
    expect(afterRevoke.items).toBe(afterFirst.items); // what was synced is kept
  }, 60_000);

  it('in-process the CLI cannot trust the emulator (NODE_EXTRA_CA_CERTS set after start-up is ignored): one line, nothing stored', async () => {
    const saved = { ...process.env };
    // Even NODE_EXTRA_CA_CERTS is set here: Node read it when this worker started, so it has no effect.
    Object.assign(process.env, env);
    try {
      const other = join(dir, 'in-process');
      const run = await runCli(['--data', other, 'connect', 'microsoft', '--no-browser']);
      expect(run.code).toBe(1);
      expect(run.stdout).not.toMatch(/authorize\?/); // it failed before printing a consent address
      expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^sinew: the Microsoft identity platform is unavailable during discovery.*NODE_EXTRA_CA_CERTS=/)]);
      await expect(stat(join(other, 'cli.json'))).rejects.toThrow(/ENOENT/);
    } finally {
      process.env = saved;
    }
  });
});
