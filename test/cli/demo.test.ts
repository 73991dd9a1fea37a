import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AS_OF, demoBriefDate, generateDemoMailbox } from '#lib/local/demo/index.ts';
import { briefJsonSchema } from '#lib/brief/schema.ts';
import { fullName, organizationLabel, organizationOf } from '#lib/report/phrasing.ts';
import { parseReportJson } from '#lib/report/json.ts';
import type { ReportJson } from '#lib/report/types.ts';
import { runCli, type CliRun } from '#test/support/cli.ts';

/**
 * `sinew demo` end to end: the generated sample mailbox through the real importers, the
 * embedded DynamoDB, interactions, health and report. The generator says which story
 * each contact tells; the report must surface every one.
 */
describe('sinew demo', () => {
  let dir: string;
  let run: CliRun;
  let report: ReportJson;
  const expected = generateDemoMailbox().expectations;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sinew-demo-test-'));
    run = await runCli(['demo', '--out', join(dir, 'a')]);
    report = parseReportJson(JSON.parse(await readFile(join(dir, 'a', 'report.json'), 'utf8')));
  }, 120_000);
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('writes the three report files and prints the summary', async () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/active relationships/);
    expect(run.stdout).toMatch(/contact\s+health\s+trend/);
    const html = await readFile(join(dir, 'a', 'report.html'), 'utf8');
    const text = await readFile(join(dir, 'a', 'report.txt'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(text).toMatch(/WHAT TO DO THIS WEEK/);
  });

  it('counts active relationships alike in the summary and the email: one-way contacts are not among them', async () => {
    const active = report.contacts.filter((c) => (c.sent > 0 && c.received > 0) || c.meetings > 0).length;
    expect(active).toBeLessThan(report.contacts.length); // the sample has one-way contacts
    expect(run.stdout).toContain(`${active} active relationships`);
    const text = await readFile(join(dir, 'a', 'report.txt'), 'utf8');
    expect(text).toContain(`${active} active relationships`);
  });

  it('surfaces every story the sample mailbox tells, and nothing it must not', () => {
    const flagged = (list: { address: string }[]) => new Set(list.map((f) => f.address));
    const checks: [string, Set<string>, { include: string[]; exclude: string[] }][] = [
      ['fading', flagged(report.fading), expected.fading],
      ['owedReplies', flagged(report.owedReplies), expected.owedReplies],
      ['awaitingReply', flagged(report.awaitingReply), expected.awaitingReply],
      ['noFaceTime', flagged(report.noFaceTime), expected.noFaceTime],
      ['singleThreaded', new Set(report.accounts.filter((a) => a.singleThreaded).map((a) => a.domain)), expected.singleThreaded],
    ];
    for (const [flag, got, want] of checks) {
      for (const a of want.include) expect(got.has(a), `${flag} should include ${a}`).toBe(true);
      for (const a of want.exclude) expect(got.has(a), `${flag} should not include ${a}`).toBe(false);
    }
    const byAddress = new Map(report.contacts.map((c) => [c.address, c]));
    for (const a of expected.warming) expect(byAddress.get(a)?.trend, `${a} trend`).toBe('warming');
    for (const a of expected.healthy) expect(byAddress.has(a), `${a} is a contact`).toBe(true);
    const excluded = [...expected.excluded.automated, ...expected.excluded.broadcast, ...expected.excluded.internal];
    for (const a of excluded) expect(byAddress.has(a), `${a} must not be a contact`).toBe(false);
    for (const [normalized, spellings] of Object.entries(expected.merged)) {
      expect(byAddress.has(normalized), `${spellings.join(', ')} collapse to ${normalized}`).toBe(true);
    }
    // `excluded` also counts meeting occurrences: the demo's one 12-attendee meeting is a broadcast.
    const mail = expected.excludedMessages;
    expect(report.excluded).toEqual({ ...mail, broadcast: mail.broadcast + 1 });
  });

  it('writes the brief of the next working day (out/brief.json valid against the brief schema) and prints one line about it', async () => {
    expect(demoBriefDate(DEMO_AS_OF)).toBe('2026-11-24');
    expect(run.stdout).toMatch(/^brief for 2026-11-24: 6 meetings with people outside your organization \(subject: Your meetings today: 6 with [^)]+\): wrote \S+brief\.json, \S+brief\.html, \S+brief\.txt$/m);
    const brief = briefJsonSchema.parse(JSON.parse(await readFile(join(dir, 'a', 'brief.json'), 'utf8')));
    expect(brief).toMatchObject({ user: 'alex.morgan@northwind-consulting.com', date: '2026-11-24', timeZone: 'Europe/London' });
    expect(brief.meetings.map((m) => m.start)).toEqual([...brief.meetings.map((m) => m.start)].sort());
    const attendees = brief.meetings.flatMap((m) => m.attendees);
    // A newcomer at a known organization and one at a new company: first meetings.
    expect(attendees.filter((a) => !a.known).map((a) => a.address).sort()).toEqual(['elena.marsh@fernhill-robotics.com', 'priyanka.desai@halcyonhealth.org']);
    expect(attendees.find((a) => a.address === 'james.whitfield@vantagelegal.co.uk')!.owed).toHaveLength(1);
    expect(await readFile(join(dir, 'a', 'brief.html'), 'utf8')).toMatch(/^<!doctype html>/i);
  });

  it('names every attendee of the brief in full with their organization or address in the text part', async () => {
    const brief = briefJsonSchema.parse(JSON.parse(await readFile(join(dir, 'a', 'brief.json'), 'utf8')));
    const text = await readFile(join(dir, 'a', 'brief.txt'), 'utf8');
    const leads = text.split('\n').filter((l) => l.startsWith('- '));
    const attendees = brief.meetings.flatMap((m) => m.attendees);
    expect(leads).toHaveLength(attendees.length);
    for (const a of attendees) {
      const name = fullName(a.address, a.name);
      expect(name, a.address).toMatch(/\S \S/);
      const org = organizationOf(a.address);
      const label = `${name} (${org === null ? a.address : organizationLabel(org)})`;
      expect(leads.some((l) => l.startsWith(`- ${label}`)), label).toBe(true);
    }
  });

  it('writes a byte-for-byte identical JSON report for the same input and --as-of', async () => {
    const again = await runCli(['demo', '--out', join(dir, 'b')]);
    expect(again.code, again.stderr).toBe(0);
    const a = await readFile(join(dir, 'a', 'report.json'));
    const b = await readFile(join(dir, 'b', 'report.json'));
    expect(b.equals(a)).toBe(true);
  }, 120_000);
});
