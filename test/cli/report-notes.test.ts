import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '#test/support/cli.ts';

/**
 * `sinew report` shows the newest note's first line beside that contact's action (DESIGN
 * section 9), opened with the same local master key `sinew note` sealed it with.
 */

const ME = 'me@example.com';
let dir: string;

function message(n: number, date: string, from: string, to: string): string {
  return `From x Mon Jan  1 00:00:00 2024\nMessage-ID: <${n}@mail.example>\nDate: ${date}\nFrom: ${from}\nTo: ${to}\n\nhi\n\n`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sinew-cli-report-notes-'));
  const ann = 'Ann Lee <ann@acme.com>';
  const mbox = [
    message(1, 'Mon, 2 Nov 2026 10:00:00 +0000', ann, ME),
    message(2, 'Mon, 2 Nov 2026 12:00:00 +0000', ME, ann),
    message(3, 'Mon, 9 Nov 2026 10:00:00 +0000', ann, ME),
    message(4, 'Mon, 9 Nov 2026 15:00:00 +0000', ME, ann),
    // Unanswered: Ann waits on a reply at the report's date.
    message(5, 'Thu, 19 Nov 2026 10:00:00 +0000', ann, ME),
  ].join('');
  const file = join(dir, 'me.mbox');
  await writeFile(file, mbox);
  expect((await runCli(['--data', dir, 'import', '--mbox', file, '--me', ME])).code).toBe(0);
}, 30_000);
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('sinew report with notes', () => {
  it('writes the newest note’s first line beside the action, in the text and the HTML', async () => {
    expect((await runCli(['--data', dir, 'note', 'add', 'ann@acme.com', 'older note'], new Date('2026-11-20T08:00:00Z'))).code).toBe(0);
    const added = await runCli(['--data', dir, 'note', 'add', 'ann@acme.com', 'Back from leave on the 30th <check>\nsecond line'], new Date('2026-11-21T08:00:00Z'));
    expect(added.code).toBe(0);
    const text = join(dir, 'r.txt');
    const html = join(dir, 'r.html');
    const report = await runCli(['--data', dir, 'report', '--as-of', '2026-11-23T07:00:00Z', '--text', text, '--html', html]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).not.toContain('notes left out');
    // The note text is in the files the person asked for, never on the terminal.
    expect(report.stdout).not.toContain('Back from leave');
    const body = await readFile(text, 'utf8');
    expect(body).toMatch(/1\. Reply to Ann Lee \(Acme\)\n {3}.*\n {3}Your note: Back from leave on the 30th <check>\n/);
    expect(body).not.toContain('second line');
    expect(body).not.toContain('older note');
    expect(await readFile(html, 'utf8')).toContain('Your note:</span> Back from leave on the 30th &lt;check&gt;</div>');
  });
});
