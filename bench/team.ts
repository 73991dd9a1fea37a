/**
 * The team view's cost (DESIGN section 10, issue 13): one person's weekly report with the
 * team view on, in a firm of `BENCH_TEAM_SHARERS` sharers (default 1,000) with
 * `BENCH_TEAM_CONTACTS` external contacts each (default 200), against the same report with
 * it off. The index is filled through the real store (Store.teamIndex.replace), in
 * dynalite; the reads of the index per report are counted at the DynamoDB client.
 * Run by `npm run bench` (bench/run.ts); alone: `npx tsx bench/team.ts`.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { pathToFileURL } from 'node:url';
import { startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.ts';
import { makeDynamoClient } from '#lib/store/dynamodb/client.ts';
import { createTable } from '#lib/store/dynamodb/schema.ts';
import { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BATCH_WRITE_MAX, batchWrite, chunk, defaultRetryPolicy, mapWithLimit } from '#lib/store/dynamodb/batch.ts';
import { teamEntryRecord, teamPk } from '#lib/store/dynamodb/team-index.ts';
import { teamSummaryRecord } from '#lib/store/dynamodb/team-summaries.ts';
import { summarize } from '#lib/store/team-summary.ts';
import type { TeamEntry, TeamSummary } from '#lib/store/types.ts';
import { buildUserReport } from '#lib/report/build.ts';
import { defaultSettings } from '#lib/settings.ts';
import type { MailItem } from '#lib/items/types.ts';
import { accountIdFor, userIdFor } from '#lib/connect/identity.ts';
import { Random } from '#lib/random.ts';

const DAY = 86_400_000;
const asOf = new Date('2026-11-23T07:00:00Z');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The firm's customers: `domains` organizations of 4 people each. */
function customer(rng: Random, domains: number): string {
  return `p${rng.int(0, 3)}@customer${rng.int(0, domains - 1)}.example`;
}

export async function benchTeam(line: (label: string, value: string) => void): Promise<void> {
  const sharers = Number(process.env.BENCH_TEAM_SHARERS ?? 1000);
  const perSharer = Number(process.env.BENCH_TEAM_CONTACTS ?? 200);
  // Customers: BENCH_TEAM_ORGS organizations (default 20,000) of 4 people each, drawn
  // uniformly: each organization is known by about sharers x contacts / orgs sharers.
  const domains = Number(process.env.BENCH_TEAM_ORGS ?? 20_000);
  const dynamo = await startEmbeddedDynamo({});
  const client = makeDynamoClient({ endpoint: dynamo.endpoint });
  let teamQueries = 0;
  let teamBatchGets = 0;
  let counting = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (counting && JSON.stringify(args.input).includes('"TEAM#')) {
        if (context.commandName === 'QueryCommand') teamQueries++;
        if (context.commandName === 'BatchGetItemCommand') teamBatchGets++;
      }
      return next(args);
    },
    { step: 'initialize', name: 'countTeamQueries' },
  );
  try {
    await createTable(client, 'team-bench');
    const store = new DynamoStore({ client, tableName: 'team-bench' });
    const rng = new Random(13);
    const t = performance.now();
    // The index as the sharers' report jobs leave it, written in bulk (what replace writes).
    const records: Record<string, unknown>[] = [];
    const byAccount = new Map<string, TeamSummary[]>();
    for (let i = 0; i < sharers; i++) {
      const r = new Random(1000 + i);
      const contacts = new Set<string>();
      while (contacts.size < perSharer) contacts.add(customer(r, domains));
      const entries: TeamEntry[] = [...contacts].sort().map((contact, k) => ({
        sharer: `s${i}`, colleague: `colleague${i}@firm.example`, colleagueName: `Colleague ${i}`, contact, name: null,
        domain: contact.split('@')[1]!, tier: (['strong', 'ok', 'weak'] as const)[k % 3]!, lastInteraction: '2026-11-10', lastMeeting: null, active: k % 4 !== 0,
      }));
      records.push(...entries.map(teamEntryRecord));
      for (const s of summarize(entries)) byAccount.set(s.domain, [...(byAccount.get(s.domain) ?? []), s]);
    }
    for (const [domain, list] of byAccount) records.push(teamSummaryRecord(teamPk(domain), list));
    const doc = DynamoDBDocumentClient.from(client);
    await mapWithLimit(chunk(records, BATCH_WRITE_MAX), 8, (part) => batchWrite(doc, 'team-bench', part.map((Item) => ({ PutRequest: { Item } })), defaultRetryPolicy));
    line(`team index filled: ${sharers.toLocaleString('en')} sharers x ${perSharer} contacts`, `${((performance.now() - t) / 1000).toFixed(1)} s`);

    // The person: 200 external contacts from the same customers, 10 messages each both ways.
    const email = 'me@firm.example';
    const userId = userIdFor(email);
    const accountId = accountIdFor('google', email);
    await store.putUser({ userId, email, timeZone: 'UTC', me: [email], internalDomains: [], reportsPaused: false, createdAt: asOf.toISOString() });
    await store.putAccount({ userId, accountId, provider: 'google', address: email, aliases: [], status: 'active', errorCount: 0, cursors: {} });
    const mine = new Set<string>();
    while (mine.size < perSharer) mine.add(customer(rng, domains));
    const items: MailItem[] = [];
    let n = 0;
    const message = (other: string, out: boolean, daysAgo: number): void => {
      n++;
      items.push({
        kind: 'mail', accountId, source: 'gmail', providerId: `b${n}`, messageId: `b${n}@bench.example`, threadId: `t${n}`,
        at: new Date(asOf.getTime() - daysAgo * DAY).toISOString(), from: out ? email : other, to: [out ? other : email],
        cc: [], bcc: [], names: {}, replyTo: [], subjectHash: `s${n}`, labels: out ? ['SENT'] : ['INBOX'], bulkSignals: [],
      });
    };
    // A year of mail: 20 messages with each external contact, most of them in the window,
    // and 2,000 with colleagues (internal: read, then left out).
    // One contact in ten went quiet 40 days ago after a weekly exchange: fading, so the
    // report looks for warm paths at their accounts.
    let c = 0;
    for (const contact of mine) {
      const fading = c++ % 10 === 0;
      for (let k = 0; k < 20; k++) message(contact, k % 2 === 0, fading ? 40 + k * 7 : 2 + k * (k < 12 ? 7 : 25) + rng.int(0, 3));
    }
    for (let k = 0; k < 2000; k++) message(`colleague${k % 50}@firm.example`, k % 2 === 0, rng.int(1, 390));
    await store.putItems(userId, items);
    const accounts = new Set([...mine].map((c) => c.split('@')[1]!)).size;

    const buildAndTime = async (team: boolean): Promise<{ ms: number; paths: number }> => {
      const start = performance.now();
      const { json } = await buildUserReport(store, userId, { asOf, settings: defaultSettings, team });
      return { ms: performance.now() - start, paths: json.team?.paths.length ?? 0 };
    };
    const run = async (team: boolean): Promise<number> => (await buildAndTime(team)).ms;
    let paths = 0;
    await run(false);
    await run(true); // publishes the person's entries once (a week's first report)
    const off: number[] = [];
    const on: number[] = [];
    for (let i = 0; i < 7; i++) {
      off.push(await run(false));
      counting = true;
      teamQueries = 0;
      teamBatchGets = 0;
      const result = await buildAndTime(true);
      on.push(result.ms);
      counting = false;
      paths = result.paths;
    }
    const ratio = median(on) / median(off);
    line('firm overlap', `each customer organization known by about ${((sharers * perSharer) / domains).toFixed(0)} sharers (${domains.toLocaleString('en')} organizations)`);
    line(`report, ${items.length.toLocaleString('en')} items, team off (median of 7)`, `${median(off).toFixed(0)} ms`);
    line(`report, same, team on (median of 7)`, `${median(on).toFixed(0)} ms (${ratio.toFixed(2)}x off; target <= 2x)`);
    line('team index reads per report', `${teamBatchGets} BatchGetItem (summaries of the person's ${accounts} accounts) + ${teamQueries} Queries (entries at flagged accounts); ${paths} warm paths found`);
  } finally {
    client.destroy();
    await dynamo.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchTeam((label, value) => console.log(`${label.padEnd(52)} ${value}`));
}
