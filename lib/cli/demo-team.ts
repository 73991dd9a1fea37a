import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDemoFiles, DEMO_AS_OF, DEMO_TIME_ZONE } from '#lib/local/demo/index.ts';
import { writeFirmFiles } from '#lib/local/demo/firm.ts';
import { buildUserReport } from '#lib/report/build.ts';
import { importFiles } from '#lib/sync/import-files.ts';
import { defaultSettings } from '#lib/settings.ts';
import { openCliContext } from './context.ts';
import type { DemoFlags } from './demo.ts';
import { parseAsOf } from './options.ts';
import { writeUserReport } from './report.ts';
import { teamLine } from './who-knows.ts';

/**
 * `sinew demo --team`: a small firm in one in-memory store (DESIGN section 10). Alex Morgan's
 * sample mailbox and three colleagues' (lib/local/demo/firm.ts) are imported, one person
 * per `--me`; every report publishes its team entries once, then each person's report is
 * written to `out/team/<name>/report.*`, so each sees this week's colleagues. Deterministic.
 */
export async function runTeamDemo(flags: DemoFlags, out: (line: string) => void): Promise<void> {
  const asOf = parseAsOf(flags.asOf, DEMO_AS_OF);
  const dir = await mkdtemp(join(tmpdir(), 'sinew-team-demo-'));
  const ctx = await openCliContext({ ...flags, memory: true });
  try {
    const alex = await writeDemoFiles(join(dir, 'alex'), { asOf });
    const people = [{ me: alex.me, mbox: alex.mboxPath, ics: alex.icsPath }];
    for (const f of await writeFirmFiles(join(dir, 'firm'), asOf)) people.push({ me: [f.me], mbox: f.mboxPath, ics: f.icsPath });
    const users: Array<{ userId: string; address: string }> = [];
    for (const p of people) {
      const imported = await importFiles(ctx.store, { mbox: [p.mbox], ics: [p.ics], me: p.me, internalDomains: [], timeZone: DEMO_TIME_ZONE, now: asOf });
      users.push({ userId: imported.userId, address: p.me[0]! });
    }
    out(`a firm of ${users.length}: ${users.map((u) => u.address).join(', ')}`);
    // A first round publishes everyone's entries, as last week's reports would have.
    for (const u of users) await buildUserReport(ctx.store, u.userId, { asOf, settings: defaultSettings, team: true });
    for (const u of users) {
      const folder = join(flags.out, 'team', u.address.split('@')[0]!);
      const written = await writeUserReport(ctx.store, u.userId, {
        asOf,
        settings: defaultSettings,
        team: true,
        files: { html: join(folder, 'report.html'), text: join(folder, 'report.txt'), json: join(folder, 'report.json') },
      });
      out(`${u.address}: ${teamLine(written.json.team!)}; wrote ${folder}/report.{html,txt,json}`);
    }
  } finally {
    await ctx.close();
    await rm(dir, { recursive: true, force: true });
  }
}
