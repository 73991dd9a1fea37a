/**
 * `sinew import` on hostile files (issue 10): the good messages and events are imported
 * and everything skipped is reported in one line.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importWindow } from '#lib/sync/import-files.ts';
import { runCli } from '#test/support/cli.ts';
import {
  allHostileFiles, brokenDates, dailyInWindow, HOSTILE_ME, HOSTILE_NOW, oversizedHeaderLine, truncatedGzip, type HostileFile,
} from '#test/providers/files/hostile-files.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sinew-cli-hostile-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const lines = (stdout: string) => stdout.trim().split('\n');

describe('sinew import on hostile files', () => {
  it('imports the good messages and events and says what it skipped in one line', async () => {
    const big = await oversizedHeaderLine(dir);
    const cut = await truncatedGzip(dir);
    const dates = await brokenDates(dir);
    const r = await runCli(['--data', join(dir, 'one'), 'import', '--mbox', big.file, cut.file, '--ics', dates.file, '--me', HOSTILE_ME], HOSTILE_NOW);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Both mboxes hold messages 1, 2 and 4 (same Message-IDs): stored once.
    expect(lines(r.stdout)).toEqual([
      'imported 7 messages (4 new, 3 already held) and 6 meeting occurrences (6 new)',
      'skipped 1 message (header line over 1 MB) in big-header.mbox; the rest of truncated.mbox.gz (gzip data ends early); ' +
        '8 events (bad dates: UIDs bad-dtstart, bad-dtstart-text, bad-dtend, bad-until, bad-exdate and 3 more) in broken-dates.ics; ' +
        '1 event (unreadable: UID bad-freq) in broken-dates.ics',
    ]);
  });

  it('imports every hostile file of the list at once, one line of skips naming each', async () => {
    const files = (await allHostileFiles(dir)).filter((h) => h.name !== '200 daily series');
    const arg = (kind: HostileFile['kind']) => files.filter((h) => h.kind === kind).map((h) => h.file);
    const r = await runCli(['--data', join(dir, 'all'), 'import', '--mbox', ...arg('mbox'), '--ics', ...arg('ics'), '--me', HOSTILE_ME], HOSTILE_NOW);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [imported, skipped, ...rest] = lines(r.stdout);
    expect(rest).toEqual([]);
    const count = (kind: HostileFile['kind']) => files.filter((h) => h.kind === kind).reduce((n, h) => n + h.expectItems, 0);
    expect(imported).toMatch(new RegExp(`^imported ${count('mbox')} messages \\(.*\\) and ${count('ics')} meeting occurrences`));
    for (const h of files) {
      const name = h.file.split('/').pop()!;
      for (const s of h.expectSkips) {
        const said = s.kind === 'file' ? `the rest of ${name} (${s.reason})` : `(${s.reason}`;
        expect(skipped).toContain(said);
        expect(skipped).toContain(name);
      }
    }
  });

  it('expands recurring meetings around --as-of', async () => {
    const file = join(dir, 'enron-era.ics');
    await writeFile(file, [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:test',
      'BEGIN:VEVENT', 'UID:desk-meeting', 'DTSTART:20000103T160000Z', 'DTEND:20000103T163000Z', 'RRULE:FREQ=DAILY',
      'ORGANIZER:mailto:boss@enron.example', `ATTENDEE:mailto:${HOSTILE_ME}`, 'END:VEVENT',
      'END:VCALENDAR', '',
    ].join('\r\n'));
    const asOf = new Date('2001-06-01T00:00:00Z');
    const r = await runCli(['--data', join(dir, 'as-of'), 'import', '--ics', file, '--me', HOSTILE_ME, '--as-of', '2001-06-01'], HOSTILE_NOW);
    expect(r.stderr).toBe('');
    const expected = dailyInWindow(Date.UTC(2000, 0, 3, 16), 30 * 60_000, importWindow(asOf));
    expect(lines(r.stdout)).toEqual([`imported 0 messages (0 new, 0 already held) and ${expected} meeting occurrences (${expected} new)`]);
  });
});
