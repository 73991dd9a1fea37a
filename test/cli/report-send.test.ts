import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkKeyPath } from '#lib/cli/report.ts';
import { verifyLink } from '#lib/links/token.ts';
import { userIdFor } from '#lib/connect/identity.ts';
import { headerLine } from '#test/mail/headers.ts';
import { runCli, type CliRun } from '#test/support/cli.ts';
import { startSmtpSink } from '#test/support/smtp-sink.ts';

/** A small Takeout-style mailbox: two months with two contacts, me@example.com is Me. */
function mbox(): string {
  const lines: string[] = [];
  const start = Date.parse('2026-09-28T09:00:00Z');
  ['ann@acme.com', 'raj@beta.io'].forEach((contact, c) => {
    for (let i = 0; i < 8; i += 1) {
      const at = new Date(start + (i * 7 + c) * 86_400_000);
      const out = i % 2 === 0;
      lines.push(
        `From x@y ${at.toUTCString()}`,
        `Message-ID: <m${c}-${i}@mail.example.com>`,
        `Date: ${at.toUTCString()}`,
        `From: ${out ? 'Me <me@example.com>' : contact}`,
        `To: ${out ? contact : 'me@example.com'}`,
        `Subject: Plan ${c}`,
        `X-Gmail-Labels: ${out ? 'Sent' : 'Inbox'}`,
        '',
        'body',
        '',
      );
    }
  });
  return lines.join('\n');
}

describe('sinew report --send', () => {
  let dir: string;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let run: CliRun;
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sinew-report-send-'));
    await writeFile(join(dir, 'mail.mbox'), mbox());
    const imported = await runCli(['--data', join(dir, 'data'), 'import', '--mbox', join(dir, 'mail.mbox'), '--me', 'me@example.com', '--time-zone', 'Europe/Paris']);
    expect(imported.code, imported.stderr).toBe(0);
    sink = await startSmtpSink();
    process.env.SINEW_SMTP_URL = `smtp://127.0.0.1:${sink.port}`;
    process.env.SINEW_REPORT_FROM = 'sinew@reports.example.com';
    delete process.env.SINEW_BASE_URL;
    run = await runCli(['--data', join(dir, 'data'), 'report', '--send', '--text', join(dir, 'report.txt')]);
  }, 60_000);
  afterAll(async () => {
    process.env = saved;
    await new Promise<void>((resolve) => sink.server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers one message to the user over SMTP: envelope, To and subject', async () => {
    expect(run.code, run.stderr).toBe(0);
    expect(sink.received).toHaveLength(1);
    const { from, to, mail } = sink.received[0]!;
    expect(from).toBe('sinew@reports.example.com');
    expect(to).toEqual(['me@example.com']);
    expect(Array.isArray(mail.to) ? undefined : mail.to?.value.map((a) => a.address)).toEqual(['me@example.com']);
    const subject = /^subject: (.*)$/m.exec(run.stdout)![1];
    expect(mail.subject).toBe(subject);
    expect(run.stdout).toMatch(/sent to me@example\.com \(<sinew\.[\w-]+@reports\.example\.com>\)/);
  });

  it('carries both parts: the text part as written to --text, and the HTML', async () => {
    const { mail } = sink.received[0]!;
    expect(mail.text?.trim()).toBe((await readFile(join(dir, 'report.txt'), 'utf8')).trim());
    expect(mail.text).toMatch(/ann@acme\.com|Ann/i);
    expect(mail.html).toMatch(/^<!doctype html>/i);
  });

  it('offers RFC 8058 one-click unsubscribe through a signed link for this user', async () => {
    const { mail } = sink.received[0]!;
    expect(headerLine(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    const m = /^<(http:\/\/127\.0\.0\.1:8787\/l\/([^>]+))>$/.exec(headerLine(mail, 'list-unsubscribe') ?? '');
    expect(m, headerLine(mail, 'list-unsubscribe')).not.toBeNull();
    const key = Buffer.from((await readFile(linkKeyPath(join(dir, 'data')), 'utf8')).trim(), 'base64');
    expect(verifyLink(key, m![2], Date.parse('2026-11-23T07:00:00Z'))).toMatchObject({ action: 'unsubscribe', userId: userIdFor('me@example.com') });
    expect(mail.text).toContain(m![1]);
  });

  it('without SINEW_SMTP_URL, stops with one line naming the variable', async () => {
    delete process.env.SINEW_SMTP_URL;
    const r = await runCli(['--data', join(dir, 'data'), 'report', '--send']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^sinew: SINEW_SMTP_URL is not set/);
    expect(sink.received).toHaveLength(1);
  });
});
