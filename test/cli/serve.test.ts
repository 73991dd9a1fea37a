import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCliContext } from '#lib/cli/context.ts';
import { localLinkSecret } from '#lib/cli/report.ts';
import { runServe, startServe, type RunningServe } from '#lib/cli/serve.ts';
import { linkUrl, signLink, type LinkClaims } from '#lib/links/token.ts';
import { userIdFor } from '#lib/connect/identity.ts';
import type { Feedback } from '#lib/items/feedback.ts';
import type { User } from '#lib/store/types.ts';
import { runCli } from '#test/support/cli.ts';

const NOW = new Date('2026-11-23T07:00:00Z');
const USER = userIdFor('me@example.com');

/** A small Takeout-style mailbox: me@example.com writes with ann@acme.com and raj@beta.io. */
function mbox(): string {
  const lines: string[] = [];
  const start = Date.parse('2026-10-05T09:00:00Z');
  ['ann@acme.com', 'raj@beta.io'].forEach((contact, c) => {
    for (let i = 0; i < 4; i += 1) {
      const at = new Date(start + (i * 7 + c) * 86_400_000);
      const out = i % 2 === 0;
      lines.push(
        `From x@y ${at.toUTCString()}`,
        `Message-ID: <s${c}-${i}@mail.example.com>`,
        `Date: ${at.toUTCString()}`,
        `From: ${out ? 'me@example.com' : contact}`,
        `To: ${out ? contact : 'me@example.com'}`,
        `X-Gmail-Labels: ${out ? 'Sent' : 'Inbox'}`,
        '',
        'body',
        '',
      );
    }
  });
  return lines.join('\n');
}

/**
 * `sinew serve` on the embedded store of a data directory: the links a sent report carries
 * (signed with the same local key) are answered, GET only confirms, POST applies, one-click
 * unsubscribe works, and an altered link is refused; the store is closed cleanly after.
 */
describe('sinew serve', () => {
  let dir: string;
  let data: string;
  let serve: RunningServe;
  const printed: string[] = [];
  const saved = { ...process.env };
  let url: (claims: Omit<LinkClaims, 'expiresAt'>) => Promise<string>;

  beforeAll(async () => {
    for (const k of ['SINEW_GOOGLE_CLIENT_ID', 'SINEW_MS_CLIENT_ID', 'SINEW_BASE_URL', 'SINEW_DYNAMODB_ENDPOINT']) delete process.env[k];
    dir = await mkdtemp(join(tmpdir(), 'sinew-serve-'));
    data = join(dir, 'data');
    await writeFile(join(dir, 'mail.mbox'), mbox());
    const imported = await runCli(['--data', data, 'import', '--mbox', join(dir, 'mail.mbox'), '--me', 'me@example.com']);
    expect(imported.code, imported.stderr).toBe(0);
    serve = await startServe({ data, port: 0 }, (l) => printed.push(l), () => NOW);
    const secret = await localLinkSecret({ data });
    url = async (claims) => linkUrl(serve.url, signLink(secret, claims, { now: NOW.getTime() }));
  }, 30_000);
  afterAll(async () => {
    process.env = saved;
    await serve?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const post = (to: string, body?: string) =>
    fetch(to, { method: 'POST', ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }) });

  it('prints its loopback URL and what it serves', () => {
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(serve.paths).toEqual(['/l/']);
    expect(printed.join('\n')).toContain(`listening on ${serve.url}`);
    expect(printed.join('\n')).toMatch(/no connect page: set SINEW_GOOGLE_CLIENT_ID or SINEW_MS_CLIENT_ID/);
  });

  it('answers the links: GET confirms, POST mutes, one-click unsubscribes, a tampered link is refused', async () => {
    // GET only shows the confirmation page (mail scanners prefetch links); raj's link is never posted.
    const fine = await fetch(await url({ action: 'fine', userId: USER, contact: 'raj@beta.io' }));
    expect(fine.status).toBe(200);
    expect(await fine.text()).toContain('raj@beta.io');

    const mute = await url({ action: 'mute', userId: USER, contact: 'ann@acme.com' });
    const confirm = await fetch(mute);
    expect(confirm.status).toBe(200);
    const page = await confirm.text();
    expect(page).toContain('Mute this contact');
    expect(page).toContain(`action="${mute}"`);

    const muted = await post(mute);
    expect(muted.status).toBe(200);
    const result = await muted.text();
    expect(result).toContain('Muted');
    // The undo link on the result page points back at this server.
    expect(result).toContain(`${serve.url}/l/`);

    const unsubscribe = await post(await url({ action: 'unsubscribe', userId: USER }), 'List-Unsubscribe=One-Click');
    expect(unsubscribe.status).toBe(200);
    expect(unsubscribe.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await unsubscribe.text()).toMatch(/Unsubscribed/);

    const good = await url({ action: 'pause', userId: USER });
    const [payload, signature] = good.slice(good.lastIndexOf('/') + 1).split('.') as [string, string];
    const flipped = `${signature.slice(0, 5)}${signature[5] === 'A' ? 'B' : 'A'}${signature.slice(6)}`;
    const tampered = await post(`${serve.url}/l/${payload}.${flipped}`);
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toMatch(/Nothing was changed/);

    expect((await fetch(`${serve.url}/`)).status).toBe(404);
    expect(printed.some((l) => /link applied \(action mute, changed true/.test(l))).toBe(true);
    expect(printed.join('\n')).not.toContain(USER);

    // Closing releases the embedded store, so the CLI can open the same data directory again.
    await serve.close();
    const ctx = await openCliContext({ data });
    let feedback: Feedback[];
    let user: User | undefined;
    try {
      feedback = await ctx.store.listFeedback(USER);
      user = await ctx.store.getUser(USER);
    } finally {
      await ctx.close();
    }
    expect(feedback.map((f) => [f.contact, f.action])).toEqual([['ann@acme.com', 'mute']]);
    expect(feedback[0]!.at).toBe(NOW.toISOString());
    expect(user?.reportsPaused).toBe(true);
  }, 20_000);
});

describe('sinew serve with an OAuth client configured', () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  it('serves the connect page with its redirect URI on the served origin, and stops on abort', async () => {
    delete process.env.SINEW_MS_CLIENT_ID;
    process.env.SINEW_GOOGLE_CLIENT_ID = 'local-client.apps.googleusercontent.com';
    process.env.SINEW_GOOGLE_CLIENT_SECRET = 'local-secret';
    const printed: string[] = [];
    const stop = new AbortController();
    let served: string | undefined;
    const running = runServe({ data: '.unused', memory: true, port: 0 }, (l) => {
      printed.push(l);
      served ??= /listening on (\S+)/.exec(l)?.[1];
    }, () => NOW, stop.signal);
    await expect.poll(() => served, { interval: 20 }).toBeDefined();

    const home = await fetch(`${served}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('/connect/google');
    const start = await fetch(`${served}/connect/google`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const auth = new URL(start.headers.get('location')!);
    expect(auth.origin).toBe('https://accounts.google.com');
    expect(auth.searchParams.get('redirect_uri')).toBe(`${served}/oauth/google/callback`);
    expect(printed.join('\n')).toContain(`${served}/  the connect page (Google)`);

    stop.abort();
    await running;
    expect(printed.at(-1)).toBe('stopping');
    await expect(fetch(`${served}/`)).rejects.toThrow();
  }, 15_000);
});

describe('sinew serve on bad flags', () => {
  const oneLine = (stderr: string): string => {
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    return lines[0]!;
  };

  it('refuses a port that is not a number, naming the flag', async () => {
    const r = await runCli(['--memory', 'serve', '--port', 'abc']);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe("sinew: --port must be a whole number from 0 to 65535 (got 'abc')");
  });

  it('refuses a host other than loopback', async () => {
    const r = await runCli(['--memory', 'serve', '--host', '0.0.0.0']);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/^sinew: --host: only 127\.0\.0\.1 is supported/);
  });

  it('says so when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = await runCli(['--memory', 'serve', '--port', String(port)]);
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toBe(`sinew: --port ${port} is already in use on 127.0.0.1 (another sinew serve?); choose another with --port`);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
