import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkKeyPath } from '#lib/cli/report.ts';
import { verifyLink, type LinkClaims } from '#lib/links/token.ts';
import { applyLinkAction } from '#lib/links/actions.ts';
import { userIdFor } from '#lib/connect/identity.ts';
import { loadConfig } from '#lib/config.ts';
import { openLocalStore } from '#lib/local/store.ts';
import { DEMO_AS_OF, writeDemoFiles } from '#lib/local/demo/index.ts';
import { headerLine } from '#test/mail/headers.ts';
import { runCli, type CliRun } from '#test/support/cli.ts';
import { startSmtpSink } from '#test/support/smtp-sink.ts';

/**
 * `sinew brief --send` end to end (issue 12): the demo mailbox imported on disk, a note
 * with markup and quotes added with `sinew note`, the brief of its Tuesday sent over SMTP
 * to a real smtp-server sink and read back with mailparser; every link absolute and
 * verifying with the local link key; then the brief's own briefs-off link stops it.
 */

const ME = 'alex.morgan@northwind-consulting.com';
const JAMES = 'james.whitfield@vantagelegal.co.uk';
const NOTE = '<script>alert("hi")</script> Prefers "Jim" & calls before 10';
const BASE = 'http://127.0.0.1:8787';
const NOW = new Date('2026-11-24T06:30:00Z');

describe('sinew brief --send', () => {
  let dir: string;
  let data: string;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let run: CliRun;
  let key: Buffer;
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sinew-brief-send-'));
    data = join(dir, 'data');
    const demo = await writeDemoFiles(join(dir, 'demo'));
    const imported = await runCli(['--data', data, 'import', '--mbox', demo.mboxPath, '--ics', demo.icsPath, '--me', ...demo.me, '--time-zone', 'Europe/London', '--as-of', DEMO_AS_OF.toISOString()]);
    expect(imported.code, imported.stderr).toBe(0);
    const noted = await runCli(['--data', data, 'note', 'add', JAMES, NOTE]);
    expect(noted.code, noted.stderr).toBe(0);
    sink = await startSmtpSink();
    process.env.SINEW_SMTP_URL = `smtp://127.0.0.1:${sink.port}`;
    process.env.SINEW_REPORT_FROM = 'sinew@briefs.example.com';
    delete process.env.SINEW_BASE_URL;
    run = await runCli(['--data', data, 'brief', '--date', '2026-11-24', '--send', '--text', join(dir, 'brief.txt')], NOW);
    key = Buffer.from((await readFile(linkKeyPath(data), 'utf8')).trim(), 'base64');
  }, 120_000);
  afterAll(async () => {
    process.env = saved;
    await new Promise<void>((resolve) => sink.server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers one message to the person over SMTP: envelope, To and the subject it printed', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(sink.received).toHaveLength(1);
    const { from, to, mail } = sink.received[0]!;
    expect(from).toBe('sinew@briefs.example.com');
    expect(to).toEqual([ME]);
    expect(mail.subject).toBe('Your meetings today: 6 with Orbital-analytics, Halcyonhealth, Vantagelegal and 3 more');
    expect(run.stdout).toContain(`(subject: ${mail.subject})`);
    expect(run.stdout).toMatch(new RegExp(`sent to ${ME.replace(/\./g, '\\.')} \\(<sinew\\.[\\w-]+@briefs\\.example\\.com>\\)`));
  });

  it('carries both parts: the text part as written to --text, and the HTML, each naming the attendees in full', async () => {
    const { mail } = sink.received[0]!;
    expect(mail.text?.trim()).toBe((await readFile(join(dir, 'brief.txt'), 'utf8')).trim());
    expect(mail.html).toMatch(/^<!doctype html>/i);
    for (const label of ['James Whitfield (Vantagelegal)', 'Priyanka Desai (Halcyonhealth)', 'Emma Clarke (emmaclarke@gmail.com)']) {
      expect(mail.text).toContain(`- ${label}`);
      expect(mail.html).toContain(label);
    }
  });

  it('shows the note escaped in the HTML and as written in the text, under the attendee it is about', () => {
    const { mail } = sink.received[0]!;
    const html = mail.html as string;
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt; Prefers &quot;Jim&quot; &amp; calls before 10');
    const james = mail.text!.slice(mail.text!.indexOf(`- James Whitfield`));
    expect(james.slice(0, james.indexOf('\n\n'))).toMatch(/ {4}\d+ Nov: <script>alert\("hi"\)<\/script> Prefers "Jim" & calls before 10/);
  });

  it('carries only absolute links that verify with the local link key, each for this person', () => {
    const { mail } = sink.received[0]!;
    const hrefs = [...(mail.html as string).matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    expect(hrefs.length).toBeGreaterThan(15);
    const actions = new Set<string>();
    for (const url of hrefs) {
      expect(url.startsWith(`${BASE}/l/`), url).toBe(true);
      const claims = verifyLink(key, url.slice(`${BASE}/l/`.length), NOW.getTime());
      expect(claims.userId).toBe(userIdFor(ME));
      actions.add(claims.action);
      expect(mail.text).toContain(url);
    }
    expect([...actions].sort()).toEqual(['briefs-off', 'fine', 'mute', 'notes', 'pause', 'unsubscribe']);
    expect(headerLine(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    const m = /^<(http:\/\/127\.0\.0\.1:8787\/l\/([^>]+))>$/.exec(headerLine(mail, 'list-unsubscribe') ?? '');
    expect(verifyLink(key, m![2], NOW.getTime())).toMatchObject({ action: 'unsubscribe', userId: userIdFor(ME) });
  });

  it('on a day without a briefed meeting says so in one line, writes only the JSON asked for, and sends nothing', async () => {
    const json = join(dir, 'saturday.json');
    const r = await runCli(['--data', data, 'brief', '--date', '2026-11-28', '--send', '--json', json, '--html', join(dir, 'saturday.html')], NOW);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('no meetings with people outside your organization on 2026-11-28: no brief');
    expect(JSON.parse(await readFile(json, 'utf8'))).toMatchObject({ date: '2026-11-28', meetings: [] });
    await expect(readFile(join(dir, 'saturday.html'), 'utf8')).rejects.toThrow(/ENOENT/);
    expect(sink.received).toHaveLength(1);
    const bad = await runCli(['--data', data, 'brief', '--date', '28/11/2026'], NOW);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("sinew: --date must be a day such as 2026-11-24 (got '28/11/2026')\n");
  }, 60_000);

  it('after its briefs-off link is applied, says briefs are off and sends nothing', async () => {
    const { mail } = sink.received[0]!;
    const off = [...(mail.html as string).matchAll(/href="([^"]+)"/g)].map((x) => x[1]!).find((u) => verifyLink(key, u.slice(`${BASE}/l/`.length), NOW.getTime()).action === 'briefs-off')!;
    const claims: LinkClaims = verifyLink(key, off.slice(`${BASE}/l/`.length), NOW.getTime());
    const local = await openLocalStore({ tableName: loadConfig().SINEW_TABLE_NAME, path: data });
    try {
      expect(await applyLinkAction(claims, { store: local.store, now: () => NOW })).toEqual({ action: 'briefs-off', changed: true });
    } finally {
      await local.close();
    }
    const again = await runCli(['--data', data, 'brief', '--date', '2026-11-24', '--send'], NOW);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`briefs are off for ${ME}`);
    expect(sink.received).toHaveLength(1);
  }, 60_000);

  it('without SINEW_SMTP_URL, stops with one line naming the variable', async () => {
    delete process.env.SINEW_SMTP_URL;
    const r = await runCli(['--data', data, 'brief', '--send'], NOW);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^sinew: SINEW_SMTP_URL is not set/);
  });
});
