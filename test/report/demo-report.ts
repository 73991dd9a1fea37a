import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_TIME_ZONE, writeDemoFiles } from '#lib/local/demo/index.ts';
import { readMbox } from '#lib/providers/files/mbox.ts';
import { readIcs } from '#lib/providers/files/ics.ts';
import { extractInteractions } from '#lib/interactions/extract.ts';
import { computeHealth } from '#lib/health/index.ts';
import { buildReportJson } from '#lib/report/json.ts';
import { defaultSettings } from '#lib/settings.ts';
import type { Item } from '#lib/items/types.ts';
import type { ReportJson } from '#lib/report/types.ts';

/**
 * The busy week: the demo mailbox (lib/local/demo, deterministic) through the real
 * importers and the pure stages, as of the demo's date and a week before it, so the
 * email shows real names, real flags and a real change since last week.
 */
export interface DemoWeek {
  json: ReportJson;
  previous: ReportJson;
  timeZone: string;
}

/** Builds the demo's report and last week's (about a second: generation and parsing). */
export async function demoWeek(): Promise<DemoWeek> {
  const dir = await mkdtemp(join(tmpdir(), 'sinew-report-demo-'));
  try {
    const demo = await writeDemoFiles(dir);
    const items: Item[] = [];
    for await (const m of readMbox(demo.mboxPath, { accountId: 'demo' })) items.push(m);
    const expandUntil = new Date(demo.asOf.getTime() + 366 * 86_400_000);
    items.push(...(await readIcs(demo.icsPath, { accountId: 'demo', owner: demo.me, expandUntil })));
    const at = (asOf: Date): ReportJson => {
      const extraction = extractInteractions(items, { asOf, settings: defaultSettings, me: demo.me, accountAddresses: demo.me });
      const health = computeHealth(extraction, { asOf, settings: defaultSettings });
      return buildReportJson({
        user: demo.me[0]!, asOf, settings: defaultSettings, internalDomains: extraction.internalDomains, health, excluded: extraction.excluded,
      });
    };
    return { json: at(demo.asOf), previous: at(new Date(demo.asOf.getTime() - 7 * 86_400_000)), timeZone: DEMO_TIME_ZONE };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
