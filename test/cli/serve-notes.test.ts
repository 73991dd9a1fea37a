import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localLinkSecret } from '#lib/cli/report.ts';
import { startServe } from '#lib/cli/serve.ts';
import { userIdFor } from '#lib/connect/identity.ts';
import { notesLink } from '#lib/links/notes-links.ts';
import { runCli } from '#test/support/cli.ts';

const NOW = new Date('2026-11-23T07:00:00Z');

/**
 * Notes on one machine, both ways: a note added with `sinew note add` shows on the notes
 * page `sinew serve` answers (the same local master key opens it), and one added through
 * that page is listed by `sinew note list` afterwards.
 */
describe('sinew serve: the notes page on the local store', () => {
  let dir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    for (const k of ['SINEW_GOOGLE_CLIENT_ID', 'SINEW_MS_CLIENT_ID', 'SINEW_BASE_URL', 'SINEW_DYNAMODB_ENDPOINT']) delete process.env[k];
    dir = await mkdtemp(join(tmpdir(), 'sinew-serve-notes-'));
    const mbox = join(dir, 'mail.mbox');
    await writeFile(mbox, 'From a@b Mon Jan  1 00:00:00 2024\nMessage-ID: <1@x>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\nFrom: ann@acme.com\nTo: me@example.com\n\nhi\n');
    expect((await runCli(['--data', dir, 'import', '--mbox', mbox, '--me', 'me@example.com'])).code).toBe(0);
  }, 30_000);
  afterAll(async () => {
    process.env = saved;
    await rm(dir, { recursive: true, force: true });
  });

  it('shows a CLI note on the page, and lists a page note in the CLI', async () => {
    expect((await runCli(['--data', dir, 'note', 'add', 'ann@acme.com', 'from the terminal'], NOW)).code).toBe(0);
    // The page's clock is a minute later: its note is the newer one.
    const serve = await startServe({ data: dir, port: 0 }, () => undefined, () => new Date(NOW.getTime() + 60_000));
    try {
      const link = notesLink({ baseUrl: serve.url, secret: await localLinkSecret({ data: dir }), userId: userIdFor('me@example.com'), now: NOW }, 'ann@acme.com');
      const page = await (await fetch(link)).text();
      expect(page).toContain('from the terminal');
      const form = /name="form" value="([^"]+)"/.exec(page)![1]!;
      const posted = await fetch(link, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: serve.url },
        body: new URLSearchParams({ op: 'add', text: 'from the page', form }).toString(),
      });
      expect(posted.status).toBe(303);
      const foreign = await fetch(link, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://127.0.0.1:1' },
        body: new URLSearchParams({ op: 'add', text: 'forged', form }).toString(),
      });
      expect(foreign.status).toBe(403);
    } finally {
      await serve.close();
    }
    const listed = await runCli(['--data', dir, 'note', 'list', 'ann@acme.com'], NOW);
    expect(listed.stdout.match(/^ {4}.+$/gm)).toStrictEqual(['    from the page', '    from the terminal']);
  });
});
