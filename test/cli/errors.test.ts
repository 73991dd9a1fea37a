import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '#test/support/cli.ts';

/** Bad input stops the CLI with a non-zero exit and one line naming what was wrong. */
describe('sinew CLI on bad input', () => {
  let dir: string;
  let notMbox: string;
  let mbox: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sinew-cli-errors-'));
    notMbox = join(dir, 'notes.txt');
    await writeFile(notMbox, 'Dear diary,\nnothing here is mail.\n');
    mbox = join(dir, 'ok.mbox');
    await writeFile(
      mbox,
      'From a@b Mon Jan  1 00:00:00 2024\nMessage-ID: <1@x>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\nFrom: ann@acme.com\nTo: me@example.com\n\nhi\n',
    );
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const oneLine = (stderr: string) => {
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    return lines[0]!;
  };

  it('names a missing file', async () => {
    const r = await runCli(['--data', dir, 'import', '--mbox', join(dir, 'nope.mbox'), '--me', 'me@example.com']);
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toMatch(/^sinew: --mbox: no such file: .*nope\.mbox$/);
  });

  it('refuses a file that is not an mbox', async () => {
    const r = await runCli(['--data', dir, 'import', '--mbox', notMbox, '--me', 'me@example.com']);
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toMatch(/notes\.txt: not an mbox file/);
  });

  it('asks for --me', async () => {
    const r = await runCli(['--data', dir, 'import', '--mbox', mbox]);
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toMatch(/import needs --me ADDRESS/);
  });

  it('refuses a --me that is not an address', async () => {
    const r = await runCli(['--data', dir, 'import', '--mbox', mbox, '--me', 'phillip']);
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toMatch(/--me must be an email address .*'phillip'/);
  });

  it('refuses a bad --as-of', async () => {
    const r = await runCli(['--data', dir, 'report', '--as-of', 'last tuesday']);
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toMatch(/--as-of must be an ISO 8601 date-time .*'last tuesday'/);
  });

  it('refuses a bad --window-days', async () => {
    const r = await runCli(['--data', dir, 'report', '--window-days', '0']);
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toMatch(/--window-days must be a whole number from 1 to 400 \(got '0'\)/);
  });

  it('says there is nobody to report on before any import', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'sinew-cli-empty-'));
    const r = await runCli(['--data', empty, 'report']);
    await rm(empty, { recursive: true, force: true });
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toMatch(/no user to report on/);
  });

  it('rejects an unknown option with a non-zero exit', async () => {
    const r = await runCli(['report', '--frobnicate']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('prints help for every command with exit 0', async () => {
    for (const cmd of [[], ['demo'], ['import'], ['report']]) {
      const r = await runCli([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).toMatch(/Usage: sinew/);
    }
  });

  it('imports, then reports, then re-imports without changing anything', async () => {
    const data = join(dir, 'store');
    const first = await runCli(['--data', data, 'import', '--mbox', mbox, '--me', 'me@example.com']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/imported 1 messages \(1 new, 0 already held\)/);
    const again = await runCli(['--data', data, 'import', '--mbox', mbox, '--me', 'me@example.com']);
    expect(again.stdout).toMatch(/imported 1 messages \(0 new, 1 already held\)/);
    const json = join(dir, 'r.json');
    const r = await runCli(['--data', data, 'report', '--as-of', '2024-01-10T00:00:00Z', '--json', json]);
    expect(r.code, r.stderr).toBe(0);
    // One message, never answered: a contact, not an active relationship (DESIGN section 5).
    expect(r.stdout).toMatch(/0 active relationships/);
    expect(r.stdout).toMatch(/^\S+@\S+\s+\d+/m); // yet listed with its numbers
  });
});
