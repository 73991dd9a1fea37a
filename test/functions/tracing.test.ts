import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * What X-Ray receives from the deployed handlers. Lambda turns Powertools' tracer on
 * (AWS_EXECUTION_ENV, LAMBDA_TASK_ROOT, the trace header in _X_AMZN_TRACE_ID) and the X-Ray
 * SDK streams each closed subsegment over UDP to AWS_XRAY_DAEMON_ADDRESS: here a socket
 * this test listens on, set up before any handler module (and so the tracer) is loaded.
 */
const daemon = await vi.hoisted(async () => {
  const { createSocket } = await import('node:dgram');
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  Object.assign(process.env, {
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    AWS_REGION: 'eu-west-1',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: 'sinew-traced',
    LAMBDA_TASK_ROOT: '/var/task',
    _HANDLER: 'index.handler',
    POWERTOOLS_TRACE_ENABLED: 'true',
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}`,
    // The X-Ray SDK's own log lines (sampling, context) are noise here.
    AWS_XRAY_LOG_LEVEL: 'silent',
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    _X_AMZN_TRACE_ID: 'Root=1-6740a9c0-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
  });
  return { socket, port };
});

import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { simpleParser } from 'mailparser';
import { tracer } from '#functions/shared/observability.ts';
import { CalendarState } from '#test/support/google/calendar-state.ts';
import { buildMailbox } from '#test/support/google/gmail-fixture.ts';
import { TEST_CLIENT } from '#test/support/google/world.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { headerLine } from '#test/mail/headers.ts';
import { dateClock, deployedStack, dropMetricFlushes, pointHandlersAt, Service, startGoogle, steppingDateClock, type Google } from '#test/support/service-world.ts';

type Json = Record<string, unknown>;
/** Every (sub)segment document the daemon socket received, in arrival order. */
const received: Json[] = [];
const waiters: Array<() => void> = [];
daemon.socket.on('message', (datagram) => {
  // `{"format":"json","version":1}\n{...segment...}`
  const text = datagram.toString('utf8');
  received.push(JSON.parse(text.slice(text.indexOf('\n') + 1)) as Json);
  for (const wake of waiters.splice(0)) wake();
});

/** Resolves once the daemon socket holds `n` handler subsegments (`## index.handler`). */
async function handlerSegments(n: number): Promise<Json[]> {
  const handlers = () => received.filter((s) => s.name === '## index.handler');
  while (handlers().length < n) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`X-Ray received ${handlers().length} handler segments, expected ${n}`)), 5_000);
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return handlers();
}

const ME = 'me@example.com';
const H = 3_600_000;
const DAY = 24 * H;
const CONNECT_AT = Date.UTC(2026, 10, 18, 10);
const MONDAY_W48 = Date.UTC(2026, 10, 23, 6);
const at = (t: number) => vi.setSystemTime(t);

let db: TestDynamo;
let google: Google;
let service: Service;
const ses = mockClient(SESv2Client);
let restoreEndpoints: (() => void) | undefined;
/** Every secret the flow handled: none may reach a segment. */
const secrets = new Set<string>();
/** The function of each invocation, in order. */
const invoked: string[] = [];
const http = (method: 'GET' | 'POST', url: string, opts: { body?: string; cookies?: string[] } = {}) => service.http(method, url, opts);

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  at(CONNECT_AT - 5 * 60_000);
  db = await startTestDynamo();
  const stack = deployedStack(db.tableName);
  service = new Service(stack, db, steppingDateClock(2_000));
  service.fillSecret('SecretsGoogleClient', JSON.stringify(TEST_CLIENT));
  const invoke = service.invoke.bind(service);
  vi.spyOn(service, 'invoke').mockImplementation((name, event) => {
    invoked.push(name);
    return invoke(name, event);
  });
  for (const { value } of stack.secrets.values()) secrets.add(value);
  google = await startGoogle({
    email: ME,
    redirectUri: `${stack.baseUrl}/oauth/google/callback`,
    mailbox: buildMailbox({ messages: 60, seed: 5, asOf: CONNECT_AT - H }),
    calendar: new CalendarState({ owner: ME, clock: dateClock }),
  });
  restoreEndpoints = pointHandlersAt(google);
  dropMetricFlushes();
}, 30_000);

afterAll(async () => {
  service?.restore();
  ses.restore();
  vi.restoreAllMocks();
  vi.useRealTimers();
  restoreEndpoints?.();
  daemon.socket.close();
  await google?.emulator.close();
  await db?.close();
});

/** Signed link tokens (`/l/<token>`), join links, OAuth codes and state, cookies' values, addresses. */
const FORBIDDEN: Array<[string, RegExp]> = [
  ['a signed link', /\/l\/[A-Za-z0-9_-]{16,}/],
  ['a join link', /join=/],
  ['an OAuth code or state', /[?&](code|state)=/],
  ['a Set-Cookie value', /__Host-[\w-]+=[^;"\s]{8,}/],
  ['an email address', /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/],
];

describe('X-Ray segments of the deployed handlers', () => {
  it('are really emitted: Powertools tracing is on, as in Lambda', () => {
    expect(tracer.isTracingEnabled()).toBe(true);
    expect(daemon.port).toBeGreaterThan(0);
  });

  it('carry no token, link, OAuth code or state, cookie or address through the whole service flow, errors included', async () => {
    // Connect: the page, the OAuth start (state and a PKCE cookie), consent, the callback (code, state).
    at(CONNECT_AT);
    expect((await http('GET', `${service.stack.baseUrl}/`)).status).toBe(200);
    const start = await http('GET', `${service.stack.baseUrl}/connect/google`);
    expect(start.status).toBe(302);
    const cookie = start.cookies.find((c) => c.startsWith('__Host-sinew-connect-google='))!.split(';')[0]!;
    secrets.add(cookie.slice(cookie.indexOf('=') + 1));
    secrets.add(new URL(start.headers.location!).searchParams.get('state')!);
    const consent = await fetch(start.headers.location!, { redirect: 'manual' });
    const back = consent.headers.get('location')!;
    secrets.add(new URL(back).searchParams.get('code')!);
    const done = await http('GET', back, { cookies: [cookie] });
    expect(done.status, done.body).toBe(200);
    expect(done.body).toContain(`Connected ${ME}`);
    const own = [...done.body.matchAll(/(?:href|action)="(\/[^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    for (const href of own) for (const token of href.matchAll(/(?:\/l\/|join=)([\w.-]{16,})/g)) secrets.add(token[1]!);
    expect(own.length).toBeGreaterThan(0);

    // The success page's links: its time-zone form (links), "connect another mailbox" (connect).
    for (const href of own) {
      const method = href.startsWith('/l/') && done.body.includes(`action="${href}"`) ? 'POST' : 'GET';
      const res = await http(method, `${service.stack.baseUrl}${href}`, method === 'POST' ? { body: 'timeZone=Europe%2FParis' } : {});
      expect(res.status, href).toBeLessThan(500);
      const location = res.headers.location;
      if (location) secrets.add(new URL(location).searchParams.get('state') ?? '');
      for (const c of res.cookies) secrets.add(c.slice(c.indexOf('=') + 1).split(';')[0]!);
    }

    // Sync: the worker (and its continuations), then a dispatcher tick.
    const syncQueue = service.stack.functions.get('connect')!.env.SINEW_SYNC_QUEUE_URL!;
    const syncs = await service.drain(syncQueue);
    expect(syncs.flatMap((d) => d.response.batchItemFailures)).toEqual([]);
    at(CONNECT_AT + 2 * H);
    await service.tick('sync-dispatcher');
    await service.drain(syncQueue);

    // Report: SES refuses first, naming the recipient as SES does in its sandbox (the record fails, the batch throws)...
    const reportQueue = service.stack.functions.get('report-dispatcher')!.env.SINEW_REPORT_QUEUE_URL!;
    ses.on(SendEmailCommand).rejectsOnce(
      Object.assign(new Error(`Email address is not verified. The following identities failed the check in region EU-WEST-1: ${ME}`), {
        name: 'MessageRejected',
        $metadata: { httpStatusCode: 400 },
      }),
    ).resolves({ MessageId: 'ses-1' });
    at(MONDAY_W48);
    expect(await service.tick('report-dispatcher')).toMatchObject({ jobs: 1 });
    const [job] = service.pending.get(reportQueue)!.slice();
    const failed = await service.drain(reportQueue).catch((err: Error) => err);
    expect(failed).toBeInstanceOf(Error);
    // ...then the retry is sent.
    service.pending.set(reportQueue, [job!]);
    const sent = await service.drain(reportQueue);
    expect(sent.flatMap((d) => d.response.batchItemFailures)).toEqual([]);
    const email = await simpleParser(Buffer.from(ses.commandCalls(SendEmailCommand).at(-1)!.args[0].input.Content!.Raw!.Data!));
    const links = [...new Set([...(email.html as string).matchAll(/href="([^"]+\/l\/[^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&')))];
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) secrets.add(link.slice(link.lastIndexOf('/') + 1));

    // The email's links: a confirmation page (GET), an answer (POST), one-click unsubscribe.
    at(MONDAY_W48 + H);
    const mute = /<a href="([^"]+\/l\/[^"]+)"[^>]*>Mute<\/a>/.exec(email.html as string)![1]!.replace(/&amp;/g, '&');
    expect((await http('GET', mute)).status).toBe(200);
    expect((await http('POST', mute, { body: '' })).status).toBe(200);
    const unsubscribe = /^<([^>]+)>$/.exec(headerLine(email, 'list-unsubscribe') ?? '')![1]!;
    secrets.add(unsubscribe.slice(unsubscribe.lastIndexOf('/') + 1));
    expect((await http('POST', unsubscribe, { body: 'List-Unsubscribe=One-Click' })).status).toBe(200);
    // A tampered link: the refusal page.
    expect((await http('GET', `${unsubscribe}x`)).status).toBeGreaterThanOrEqual(400);

    // SES reports a bounce naming the address (the event's detail carries it).
    await service.invoke('ses-events', {
      'detail-type': 'Email Bounced',
      source: 'aws.ses',
      detail: { eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: ME }] }, mail: { destination: [ME] } },
    });
    // A malformed tick: the dispatcher throws.
    await expect(service.invoke('report-dispatcher', { scheduledTime: `not a time ${ME}` })).rejects.toThrow();
    at(MONDAY_W48 + 7 * DAY);

    expect(new Set(invoked)).toEqual(new Set(['connect', 'links', 'sync-worker', 'sync-dispatcher', 'report-dispatcher', 'report-worker', 'ses-events']));
    const segments = await handlerSegments(invoked.length);
    expect(segments).toHaveLength(invoked.length);
    // Tracing is on and kept what it should: the annotations, and outgoing calls (DynamoDB, Google).
    for (const s of segments) expect(s.annotations).toMatchObject({ Service: 'sinew', ColdStart: expect.any(Boolean) });
    expect(received.filter((s) => s.name === '127.0.0.1').length).toBeGreaterThan(10);
    // The failures are still marked in the trace, without their messages.
    expect(segments.filter((s) => s.fault === true || s.error === true).length).toBeGreaterThanOrEqual(2);
    const leaks = new Set<string>();
    for (const doc of received) {
      const text = JSON.stringify(doc);
      for (const secret of secrets) if (secret.length >= 8 && text.includes(secret)) leaks.add(`${String(doc.name)}: a secret the flow handled`);
      for (const [what, pattern] of FORBIDDEN) if (pattern.test(text)) leaks.add(`${String(doc.name)}: ${what}`);
    }
    expect([...leaks]).toEqual([]);
  }, 60_000);
});
