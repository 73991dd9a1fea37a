import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Before the handlers' logger is built; the SDK clients the handlers make need a region (Lambda sets it).
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.AWS_REGION = 'eu-west-1';
});

import { DeleteItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand, SESv2Client, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { SQSRecord } from 'aws-lambda';
import { userIdFor } from '#lib/connect/identity.ts';
import { verifyLink, type LinkClaims } from '#lib/links/token.ts';
import { buildUserReport } from '#lib/report/build.ts';
import { defaultSettings } from '#lib/settings.ts';
import { WHAT_IS_SHARED } from '#lib/team/sharing.ts';
import { calendarHandler } from '#test/support/google/calendar-emulator.ts';
import { CalendarState } from '#test/support/google/calendar-state.ts';
import { gmailHandler } from '#test/support/google/gmail-emulator.ts';
import { GmailMailbox } from '#test/support/google/gmail-mailbox.ts';
import { GoogleOAuthEmulator } from '#test/support/google/oauth-emulator.ts';
import { QuotaLedger } from '#test/support/google/quota.ts';
import { startGoogleEmulator, type Handler } from '#test/support/google/server.ts';
import { TEST_CLIENT } from '#test/support/google/world.ts';
import { GMAIL_QUOTA_2026 } from '#lib/providers/google/quota.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { dateClock, deployedStack, dropMetricFlushes, pointHandlersAt, Service, steppingDateClock, type Google } from '#test/support/service-world.ts';
import { sqsRecord } from '#test/functions/report-events.ts';

/**
 * The team view (DESIGN section 10, issue 13) through the deployed service with CDK context
 * team=on: two people at one firm connect their Google mailboxes (one emulator, one OAuth
 * client, a mailbox and a calendar each) and are synced; Monday's reports go out through
 * the report worker and SES. Each one's email names the other as a warm path for the
 * contact they are losing and the other still talks to (and nowhere else), and tells them
 * what is shared, with a stop-sharing link. Sam follows it (through the links function):
 * his entries leave the index in that request, and next Monday Alex's email no longer names
 * him. A duplicate delivery of a report job leaves the index equal to a clean rebuild, and
 * Alex's disconnect link removes everything of his from the index in that request.
 * Every DynamoDB call is checked against the function's role, the team index's Deny included.
 */

const ALEX = 'alex@firm.example';
const SAM = 'sam@firm.example';
const OLIVER = 'oliver@acme.example';
const RITA = 'rita@halcyon.example';
const H = 3_600_000;
const DAY = 24 * H;
/** Wednesday 18 Nov 2026, 10:00 UTC: both connect. */
const CONNECT_AT = Date.UTC(2026, 10, 18, 10);
/** Monday 23 Nov 2026, 07:00 UTC (both are on UTC: no zone came with the connect). */
const MONDAY_W48 = Date.UTC(2026, 10, 23, 7);
const MONDAY_W49 = MONDAY_W48 + 7 * DAY;
const MONDAY_W50 = MONDAY_W48 + 14 * DAY;

let db: TestDynamo;
let service: Service;
let google: Google;
const ses = mockClient(SESv2Client);
let restoreEndpoints: (() => void) | undefined;
let syncQueue: string;
let reportQueue: string;
let linkSecret: Uint8Array;
const ids = { alex: userIdFor(ALEX), sam: userIdFor(SAM) };

const at = (t: number) => vi.setSystemTime(t);
const sends = (): SendEmailCommandInput[] => ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
const parsed = (input: SendEmailCommandInput): Promise<ParsedMail> => simpleParser(Buffer.from(input.Content!.Raw!.Data!));
async function mailTo(address: string, after: number): Promise<ParsedMail[]> {
  const out: ParsedMail[] = [];
  for (const input of sends().slice(after)) if (input.Destination?.ToAddresses?.includes(address)) out.push(await parsed(input));
  return out;
}
/** A link of the text part by its label, with its claims. */
function textLink(mail: ParsedMail, label: string): { url: string; claims: LinkClaims } {
  const m = new RegExp(`^${label}: (https://\\S+/l/(\\S+))$`, 'm').exec(mail.text ?? '');
  if (!m) throw new Error(`no "${label}" link in the email`);
  return { url: m[1]!, claims: verifyLink(linkSecret, m[2]!, Date.now()) };
}
const warmLines = (mail: ParsedMail): string[] => [...(mail.text ?? '').matchAll(/^ {3}- (.* also knows .*)$/gm)].map((m) => m[1]!);

/** Every team index item (TEAM#, TEAMBY#) by a raw Scan, sorted. */
async function teamIndex(): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, never> | undefined;
  do {
    const out = await db.client.send(new ScanCommand({ TableName: db.tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []).map((i) => unmarshall(i)));
    start = out.LastEvaluatedKey as typeof start;
  } while (start);
  return items.filter((i) => String(i.pk).startsWith('TEAM')).sort((a, b) => `${a.pk} ${a.sk}`.localeCompare(`${b.pk} ${b.sk}`));
}
const mentions = (items: Array<Record<string, unknown>>, needle: string) => items.filter((i) => JSON.stringify(i).includes(needle));

/**
 * A person's mailbox: a weekly exchange with `fading` that stopped 40 days before Monday,
 * and mail both ways every week for the last two months with `active` (as test/team/firm.ts).
 */
function mailbox(me: string, myName: string, fading: [string, string], active: Array<[string, string]>): GmailMailbox {
  const box = new GmailMailbox(me);
  type Draft = { at: number; from: string; to: string; out: boolean };
  const drafts: Draft[] = [];
  const person = (address: string, name: string) => `"${name}" <${address}>`;
  const mine = person(me, myName);
  for (let i = 0; i < 10; i++) {
    const out = i % 2 === 1;
    drafts.push({ at: MONDAY_W48 - (40 + (9 - i) * 7) * DAY, from: out ? mine : person(...fading), to: out ? person(...fading) : mine, out });
  }
  for (const c of active) {
    for (let i = 0; i < 8; i++) {
      const out = i % 2 === 0;
      drafts.push({ at: MONDAY_W48 - (60 - i * 7) * DAY - 2 * DAY, from: out ? mine : person(...c), to: out ? person(...c) : mine, out });
    }
  }
  drafts.sort((a, b) => a.at - b.at);
  drafts.forEach((d, n) => {
    box.addMessage({
      labelIds: d.out ? ['SENT'] : ['INBOX'],
      internalDate: d.at,
      headers: [
        { name: 'From', value: d.from },
        { name: 'To', value: d.to },
        { name: 'Subject', value: `Catch-up ${n}` },
        { name: 'Message-ID', value: `<m${n}.${me}>` },
        { name: 'Date', value: new Date(d.at).toUTCString() },
      ],
    });
  });
  return box;
}

/** One Google emulator for the firm: OAuth consents as whoever `oauth.user` is; Gmail and Calendar serve the token's user. */
async function startFirmGoogle(redirectUri: string): Promise<Google> {
  const boxes = new Map([
    [ALEX, mailbox(ALEX, 'Alex Morgan', [OLIVER, 'Oliver Grant'], [['dee@delta.example', 'Dee Dee'], [RITA, 'Rita Stone']])],
    [SAM, mailbox(SAM, 'Sam Lee', [RITA, 'Rita Stone'], [[OLIVER, 'Oliver Grant']])],
  ]);
  const calendars = new Map([ALEX, SAM].map((owner) => [owner, new CalendarState({ owner, clock: dateClock })]));
  const calendarOf = new Map([...calendars].map(([owner, state]) => [owner, calendarHandler(state)]));
  const oauth = new GoogleOAuthEmulator({ ...TEST_CLIENT, user: { email: ALEX, sub: '2000001' }, redirectUris: [redirectUri], clock: dateClock });
  const ledger = new QuotaLedger({ clock: dateClock, limit: GMAIL_QUOTA_2026.limit, windowMs: GMAIL_QUOTA_2026.windowMs });
  const calendar: Handler = async (req, res, url, ctx) => (url.pathname.startsWith('/calendar/v3/') ? calendarOf.get(ctx.user ?? ALEX)!(req, res, url, ctx) : false);
  const emulator = await startGoogleEmulator({
    clock: dateClock,
    authenticate: (token) => oauth.validateAccessToken(token)?.email ?? null,
    handlers: [(req, res, url) => oauth.handle(req, res, url), gmailHandler((user) => boxes.get(user), { ledger, costs: GMAIL_QUOTA_2026.costs }), calendar],
  });
  return { emulator, oauth, mailbox: boxes.get(ALEX)!, calendar: calendars.get(ALEX)! };
}

/** A person connects their mailbox on the connect page and grants access at Google. */
async function connect(email: string, sub: string): Promise<void> {
  google.oauth.user = { email, sub };
  const start = await service.http('GET', `${service.stack.baseUrl}/connect/google`);
  expect(start.status).toBe(302);
  const cookie = start.cookies.find((c) => c.startsWith('__Host-sinew-connect-google='))!.split(';')[0]!;
  const consent = await fetch(start.headers.location!, { redirect: 'manual' });
  const done = await service.http('GET', consent.headers.get('location')!, { cookies: [cookie] });
  expect(done.status, done.body).toBe(200);
  expect(done.body).toContain(`Connected ${email}`);
}

/** Monday's report tick and its jobs; the records delivered, by user id. */
async function reportsNow(): Promise<Map<string, SQSRecord>> {
  const before = service.sent.length;
  await service.tick('report-dispatcher');
  const deliveries = await service.drain(reportQueue);
  expect(deliveries.flatMap((d) => d.response.batchItemFailures)).toEqual([]);
  expect(service.sent.slice(before).filter((e) => e.QueueUrl === reportQueue)).toHaveLength(2);
  return new Map(deliveries.flatMap((d) => d.records).map((r) => [(JSON.parse(r.body) as { userId: string }).userId, r]));
}

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  at(CONNECT_AT - 5 * 60_000);
  db = await startTestDynamo();
  const stack = deployedStack(db.tableName, { team: 'on', allowedDomains: 'firm.example' });
  service = new Service(stack, db, steppingDateClock(2_000));
  service.fillSecret('SecretsGoogleClient', JSON.stringify(TEST_CLIENT));
  linkSecret = Buffer.from([...stack.secrets.entries()].find(([id]) => id.startsWith('SecretsLinkSigning'))![1].value, 'utf8');
  syncQueue = stack.functions.get('connect')!.env.SINEW_SYNC_QUEUE_URL!;
  reportQueue = stack.functions.get('report-dispatcher')!.env.SINEW_REPORT_QUEUE_URL!;
  google = await startFirmGoogle(`${stack.baseUrl}/oauth/google/callback`);
  restoreEndpoints = pointHandlersAt(google);
  let n = 0;
  ses.on(SendEmailCommand).callsFake(async () => ({ MessageId: `ses-${(n += 1)}` }));
  dropMetricFlushes();
}, 60_000);

afterAll(async () => {
  service?.restore();
  ses.restore();
  vi.restoreAllMocks();
  vi.useRealTimers();
  restoreEndpoints?.();
  await google?.emulator.close();
  await db?.close();
});

describe('the team view, deployed with team=on: two people at one firm', () => {
  let week49: Map<string, SQSRecord>;

  it('1. both connect and are synced; the stack gives the report worker and the links function SINEW_TEAM=on', async () => {
    expect(service.stack.functions.get('report-worker')!.env.SINEW_TEAM).toBe('on');
    expect(service.stack.functions.get('links')!.env.SINEW_TEAM).toBe('on');
    at(CONNECT_AT);
    await connect(ALEX, '2000001');
    at(CONNECT_AT + 60_000);
    await connect(SAM, '2000002');
    expect((await service.drain(syncQueue)).flatMap((d) => d.response.batchItemFailures)).toEqual([]);
    for (const id of Object.values(ids)) {
      let items = 0;
      for await (const _ of db.store().queryItems(id)) items += 1;
      expect(items).toBeGreaterThan(10);
    }
    // Nothing is published before a report runs: the sync worker never touches the index.
    expect(await teamIndex()).toEqual([]);
  }, 60_000);

  it('2. first Monday: each is told what is shared, with a stop-sharing link; whoever is sent second already finds the other', async () => {
    at(MONDAY_W48);
    const before = sends().length;
    const jobs = await reportsNow();
    // One job after the other: the first publishes before the second reads the index.
    const [first, second] = [...jobs.keys()];
    const nameOf = { [ids.alex]: 'Alex Morgan', [ids.sam]: 'Sam Lee' };
    const addressOf = { [ids.alex]: ALEX, [ids.sam]: SAM };
    const [firstMail] = await mailTo(addressOf[first!]!, before);
    const [secondMail] = await mailTo(addressOf[second!]!, before);
    expect(warmLines(firstMail!)).toEqual([]);
    expect(warmLines(secondMail!)).toEqual([expect.stringMatching(new RegExp(`^${nameOf[first!]} also knows (Oliver Grant|Rita Stone): (strong|ok|weak), last contact \\d+ \\w+$`))]);
    for (const [mail, id] of [[firstMail!, first!], [secondMail!, second!]] as const) {
      expect(mail.text).toContain(WHAT_IS_SHARED);
      expect(mail.html).toContain('Your team view');
      expect(textLink(mail, 'Stop sharing').claims).toMatchObject({ action: 'stop-sharing', userId: id });
      expect((await db.store().getUser(id))!.teamToldAt).toBe(new Date(MONDAY_W48).toISOString());
    }
    const index = await teamIndex();
    expect(mentions(index, SAM).length).toBeGreaterThan(0);
    expect(mentions(index, ALEX).length).toBeGreaterThan(0);
  }, 60_000);

  it('2b. next Monday each email names the other as a warm path where it should (and nowhere else); who-knows answers from the links', async () => {
    at(MONDAY_W49);
    const before = sends().length;
    week49 = await reportsNow();
    const [alexMail] = await mailTo(ALEX, before);
    const [samMail] = await mailTo(SAM, before);
    // Alex is losing Oliver, whom Sam writes to every week; Sam is losing Rita, whom Alex does.
    // (Each may also be named for a no-face-time contact: nobody meets anyone here.)
    const alexLines = warmLines(alexMail!);
    const samLines = warmLines(samMail!);
    expect(alexLines).toContainEqual(expect.stringMatching(/^Sam Lee also knows Oliver Grant: (strong|ok|weak), last contact \d+ \w+$/));
    expect(samLines).toContainEqual(expect.stringMatching(/^Alex Morgan also knows Rita Stone: (strong|ok|weak), last contact \d+ \w+$/));
    // Only the one colleague, and only for contacts that colleague is in touch with: never Dee, whom only Alex knows.
    for (const line of alexLines) expect(line).toMatch(/^Sam Lee also knows (Oliver Grant|Rita Stone):/);
    for (const line of samLines) expect(line).toMatch(/^Alex Morgan also knows (Oliver Grant|Rita Stone):/);
    expect(alexMail!.html).toContain('Sam Lee also knows Oliver Grant');
    // Told last week: one line now, with the same links.
    expect(alexMail!.text).not.toContain(WHAT_IS_SHARED);
    expect(alexMail!.text).toContain('You share your team view with your colleagues.');

    const index = await teamIndex();
    const ask = textLink(alexMail!, 'Who knows whom\\?');
    const page = await service.http('GET', `${ask.url}?q=${encodeURIComponent(OLIVER)}`);
    expect(page.fn).toBe('links');
    expect(page.status, page.body).toBe(200);
    expect(page.body).toContain(SAM);
    expect(page.body).not.toContain(ALEX);
    expect(await teamIndex()).toStrictEqual(index);
  }, 60_000);

  it('3. a duplicate delivery of a report job sends nothing more and leaves the index equal to a clean rebuild', async () => {
    at(MONDAY_W49 + H);
    const before = sends().length;
    const duplicate = sqsRecord('dup-1', week49.get(ids.alex)!.body);
    expect(await service.deliver('report-worker', [{ ...duplicate, eventSourceARN: week49.get(ids.alex)!.eventSourceARN }])).toEqual({ batchItemFailures: [] });
    expect(sends()).toHaveLength(before);
    const index = await teamIndex();
    // A clean rebuild: the index emptied by hand, each person's report built again as of Monday.
    await service.within('report-worker', async (runtime) => {
      for (const item of index) await db.client.send(new DeleteItemCommand({ TableName: db.tableName, Key: { pk: { S: String(item.pk) }, sk: { S: String(item.sk) } } }));
      expect(await teamIndex()).toEqual([]);
      for (const id of Object.values(ids)) await buildUserReport(runtime.store, id, { asOf: new Date(MONDAY_W49), settings: defaultSettings, team: true });
    });
    expect(await teamIndex()).toStrictEqual(index);
  }, 60_000);

  it('4. Sam follows his stop-sharing link: the page changes nothing, the POST removes every entry of his at once', async () => {
    at(MONDAY_W49 + 2 * H);
    const [samMail] = (await mailTo(SAM, 0)).slice(-1);
    const stop = textLink(samMail!, 'Stop sharing');
    const before = await teamIndex();
    const page = await service.http('GET', stop.url);
    expect(page.fn).toBe('links');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Stop sharing with your team');
    expect(await teamIndex()).toStrictEqual(before);
    const done = await service.http('POST', stop.url, { body: '', headers: { 'sec-fetch-site': 'same-origin', origin: service.stack.baseUrl } });
    expect(done.status, done.body).toBe(200);
    expect(done.body).toContain('Sharing stopped');
    const after = await teamIndex();
    expect(mentions(after, SAM)).toEqual([]);
    expect(mentions(after, ids.sam)).toEqual([]);
    // Alex's entries are untouched (an account's summary item loses only Sam's key).
    for (const item of before.filter((i) => !JSON.stringify(i).includes(ids.sam))) expect(after).toContainEqual(item);
    expect(after.length).toBeGreaterThan(0);
  }, 60_000);

  it('5. the Monday after, Alex\'s email no longer names Sam, Sam\'s says he stopped (share again), and the index holds nothing of his', async () => {
    at(MONDAY_W50);
    const before = sends().length;
    await reportsNow();
    const [alexMail] = await mailTo(ALEX, before);
    const [samMail] = await mailTo(SAM, before);
    expect(alexMail!.text).toContain('Oliver Grant');
    expect(alexMail!.text).not.toContain('Sam Lee');
    expect(alexMail!.html).not.toContain('Sam Lee');
    expect(warmLines(alexMail!)).toEqual([]);
    expect(samMail!.text).toContain('You stopped sharing your team view');
    expect(textLink(samMail!, 'Share again').claims).toMatchObject({ action: 'share-again', userId: ids.sam });
    expect(warmLines(samMail!)).toEqual([]);
    const index = await teamIndex();
    expect(mentions(index, SAM)).toEqual([]);
    expect(mentions(index, ids.sam)).toEqual([]);
    expect(mentions(index, ALEX).length).toBeGreaterThan(0);
  }, 60_000);

  it('6. Alex disconnects from the link in his email: his partition and every index item naming him go in that request', async () => {
    at(MONDAY_W50 + H);
    const [alexMail] = (await mailTo(ALEX, 0)).slice(-1);
    const disconnect = textLink(alexMail!, 'Disconnect and delete my data');
    expect(disconnect.claims).toMatchObject({ action: 'disconnect', userId: ids.alex });
    expect(mentions(await teamIndex(), ids.alex).length).toBeGreaterThan(0);
    const done = await service.http('POST', disconnect.url, { body: '' });
    expect(done.fn).toBe('links');
    expect(done.status, done.body).toBe(200);
    expect(await db.store().getUser(ids.alex)).toBeUndefined();
    const index = await teamIndex();
    expect(mentions(index, ids.alex)).toEqual([]);
    expect(mentions(index, ALEX)).toEqual([]);
  }, 60_000);
});
