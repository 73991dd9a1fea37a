import { renderReport, type RenderOptions } from '#lib/report/index.ts';
import { buildModel, type ReportModel } from '#lib/report/model.ts';
import type { ReportJson } from '#lib/report/types.ts';
import { demoWeek } from './demo-report.ts';
import { contact, daysBefore, report } from './fixtures.ts';
import { signedLinks } from './signed-links.ts';

/**
 * The three weeks issue 6 asks the email to survive, rendered with signed links: a busy
 * week (the demo mailbox, with last week's report), an empty week (nothing happened,
 * nothing to do) and a first week (no previous report, little history).
 */
export interface EmailFixture {
  name: 'busy' | 'empty' | 'first';
  json: ReportJson;
  options: RenderOptions;
  model: ReportModel;
  html: string;
  text: string;
  subject: string;
}

async function fixture(name: EmailFixture['name'], json: ReportJson, options: RenderOptions): Promise<EmailFixture> {
  const out = await renderReport(json, options);
  return { name, json, options, model: buildModel(json, options), ...out };
}

const LONG_ADDRESS = 'procurement.department.head.of.operations@very-long-organisation-name-international.co.uk';

/** Renders the three fixtures (about a second, most of it generating the demo mailbox). */
export async function emailFixtures(): Promise<EmailFixture[]> {
  const demo = await demoWeek();
  const now = (json: ReportJson): number => Date.parse(json.asOf);
  const busy = await fixture('busy', demo.json, {
    timeZone: demo.timeZone, previous: demo.previous, links: signedLinks('demo-user', now(demo.json)),
  });

  const quiet = report({});
  const lastWeek = report({ contacts: [contact('ann@acme.com', { name: 'Ann Lee', health: 72 })] }, new Date(Date.parse(quiet.asOf) - 7 * 86_400_000));
  const empty = await fixture('empty', quiet, { timeZone: 'Europe/Paris', previous: lastWeek, links: signedLinks('quiet-user', now(quiet)) });

  const start = report({
    contacts: [
      contact('raj.patel@beta-industries.io', { name: 'Raj Patel', health: 64, firstInteraction: daysBefore(12), cadenceDays: null }),
      contact('ann@acme.com', { name: 'Ann Lee', health: 48, firstInteraction: daysBefore(5), trend: 'warming' }),
      // An unbroken name and address as long as real ones get: they must wrap on a phone.
      contact(LONG_ADDRESS, { name: 'Maximiliane-Konstantina Oberbürgermeisterstellvertreterin', health: 41, firstInteraction: daysBefore(20) }),
    ],
    owedReplies: [{ address: 'raj.patel@beta-industries.io', receivedAt: daysBefore(4), waitingDays: 4 }],
    awaitingReply: [{ address: LONG_ADDRESS, firstSentAt: daysBefore(9), unansweredCount: 2 }],
    accounts: [{ domain: 'beta-industries.io', activeContacts: 1, health: 64, singleThreaded: true }],
  });
  // Notes beside actions (DESIGN section 9), one an unbroken word as long as a pasted link.
  const notes = new Map([
    ['raj.patel@beta-industries.io', 'Met at the Lisbon conference; prefers calls before 10'],
    [LONG_ADDRESS, `Portal: ${'x'.repeat(40)}${'https://procurement.very-long-organisation-name-international.co.uk/tenders/2026/'.repeat(2)}`],
  ]);
  const first = await fixture('first', start, { timeZone: 'America/New_York', links: signedLinks('new-user', now(start)), notes });
  return [busy, empty, first];
}
