import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firmMailboxes, writeFirmFiles } from '#lib/local/demo/firm.ts';
import { localDate } from '#lib/brief/day.ts';
import { DEMO_AS_OF } from '#lib/local/demo/index.ts';
import { parseReportJson } from '#lib/report/json.ts';
import { runCli, type CliRun } from '#test/support/cli.ts';

/** The team view on the CLI (DESIGN section 10): several people in one local store. */
describe('sinew demo --team, report --team, who-knows --team and brief --team', () => {
  let dir: string;
  let run: CliRun;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sinew-team-test-'));
    run = await runCli(['demo', '--team', '--out', join(dir, 'out')]);
  }, 180_000);
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('demo --team writes each person\'s report, and Alex\'s email shows warm paths in HTML and text', async () => {
    expect(run.code, run.stderr).toBe(0);
    for (const person of ['alex.morgan', 'sarah.jenkins', 'mark.ellis', 'sam.lee']) {
      const json = parseReportJson(await readFile(join(dir, 'out', 'team', person, 'report.json'), 'utf8'));
      expect(json.team?.sharing).toBe(true);
      expect(json.team?.accounts.flatMap((a) => a.colleagues).some((c) => c.address.startsWith(person))).toBe(false);
    }
    const alex = parseReportJson(await readFile(join(dir, 'out', 'team', 'alex.morgan', 'report.json'), 'utf8'));
    const oliver = alex.team!.paths.find((p) => p.for === 'oliver.grant@brightwatercap.com');
    expect(oliver?.reason).toBe('fading');
    expect(oliver?.colleagues.map((c) => c.name)).toEqual(['Sarah Jenkins', 'Sam Lee']);
    const line = 'Sarah Jenkins also knows Oliver Grant: strong, last contact 17 Nov';
    expect(await readFile(join(dir, 'out', 'team', 'alex.morgan', 'report.txt'), 'utf8')).toContain(line);
    expect(await readFile(join(dir, 'out', 'team', 'alex.morgan', 'report.html'), 'utf8')).toContain(line);
    expect(alex.team!.paths.find((p) => p.reason === 'singleThreaded')).toMatchObject({ for: 'halcyonhealth.org', colleagues: [{ name: 'Mark Ellis', via: 'daniel.kim@halcyonhealth.org' }] });
  });

  it('import --me per person keeps several people in one store; report --team --user, who-knows --team and brief --team pick the person', async () => {
    const data = join(dir, 'data');
    const firm = await writeFirmFiles(join(dir, 'firm'), DEMO_AS_OF);
    for (const f of firm) {
      const imported = await runCli(['--data', data, 'import', '--mbox', f.mboxPath, '--ics', f.icsPath, '--me', f.me, '--as-of', DEMO_AS_OF.toISOString()]);
      expect(imported.code, imported.stderr).toBe(0);
    }
    const [sarah, , sam] = firm;
    for (const f of firm) {
      const r = await runCli(['--data', data, 'report', '--team', '--user', f.me, '--as-of', DEMO_AS_OF.toISOString(), '--json', join(dir, `${f.me}.json`)]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/team view: colleagues active at/);
    }
    const json = join(dir, 'who.json');
    const asked = await runCli(['--data', data, 'who-knows', 'Oliver.Grant@brightwatercap.com', '--team', '--user', sam!.me, '--json', json]);
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stdout).toContain('Sarah Jenkins <sarah.jenkins@northwind-consulting.com>: strong, 1 active contact');
    const answer = JSON.parse(await readFile(json, 'utf8'));
    // The asker (Sam, who also knows Oliver) is never listed.
    expect(answer).toMatchObject({ query: 'oliver.grant@brightwatercap.com', match: 'contact', colleagues: [{ address: sarah!.me }] });
    expect(answer.colleagues).toHaveLength(1);
    const byDomain = await runCli(['--data', data, 'who-knows', 'acme-logistics.com', '--team', '--user', sarah!.me]);
    expect(byDomain.stdout).toContain('Sam Lee <sam.lee@northwind-consulting.com>: strong');
    expect(byDomain.stdout).not.toContain('Sarah Jenkins');
    const off = await runCli(['--data', data, 'who-knows', 'acme-logistics.com', '--user', sarah!.me]);
    expect(off.code).toBe(1);
    expect(off.stderr).toMatch(/pass --team/);

    // Sarah's last monthly meeting with Oliver Grant: her brief that day names Sam, who also knows him.
    const [sarahBox] = firmMailboxes(DEMO_AS_OF);
    const lastOliver = sarahBox!.events.filter((e) => e.attendees.some((a) => a.address.toLowerCase() === 'oliver.grant@brightwatercap.com')).at(-1)!;
    const date = localDate(lastOliver.start, sarahBox!.person.tz);
    const oliverIn = async (flags: string[]) => {
      const file = join(dir, `brief-${flags.length}.json`);
      const r = await runCli(['--data', data, 'brief', ...flags, '--user', sarah!.me, '--date', date, '--json', file]);
      expect(r.code, r.stderr).toBe(0);
      const brief = JSON.parse(await readFile(file, 'utf8')) as { meetings: Array<{ attendees: Array<{ address: string; colleagues: unknown[] }> }> };
      return brief.meetings.flatMap((m) => m.attendees).find((a) => a.address === 'oliver.grant@brightwatercap.com');
    };
    const withTeam = await oliverIn(['--team']);
    expect(withTeam?.colleagues).toEqual([{ name: 'Sam Lee', tier: expect.stringMatching(/^(strong|ok|weak)$/), lastInteraction: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) }]);
    expect((await oliverIn([]))?.colleagues).toEqual([]);
  }, 180_000);
});
