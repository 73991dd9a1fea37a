import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BriefBusyError, runBriefJob, type BriefJobDeps } from '#lib/brief/send.ts';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { MailDeliveryError } from '#lib/mail/errors.ts';
import type { Mailer, OutgoingEmail } from '#lib/mail/mailer.ts';
import { addNote } from '#lib/notes/notes.ts';
import type { BriefJob } from '#lib/queue/jobs.ts';
import type { Store } from '#lib/store/types.ts';
import { verifyLink } from '#lib/links/token.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { ME, daysAgo, mail, meetingWith } from './world.ts';

/**
 * The brief worker's job (issue 12, AWS): one email per person per local day however often
 * the job is delivered (the weekly report's claim pattern on `brief#<date>`), settings
 * read again at send time, one-click unsubscribe.
 */
const ANN = 'ann@partner.io';
const SECRET = Buffer.alloc(32, 5);
const vault = LocalKeyVault.fromKey(Buffer.alloc(32, 6));
/** 07:00 in Paris on 24 Nov 2026. */
const AT = Date.parse('2026-11-24T06:00:00.000Z');
const LEASE = 120_000;

class Outbox implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  next: Error | undefined;
  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    this.sent.push(email);
    if (this.next) {
      const e = this.next;
      this.next = undefined;
      throw e;
    }
    return { messageId: `m${this.sent.length}` };
  }
}

let db: TestDynamo;
let store: Store;
let n = 0;
let userId: string;
let job: BriefJob;

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
});
afterAll(async () => db.close());
beforeEach(async () => {
  n += 1;
  userId = `u-brief-send-${n}`;
  job = { v: 1, userId, date: '2026-11-24', asOf: new Date(AT).toISOString() };
  await store.putUser({ userId, email: ME, timeZone: 'Europe/Paris', me: [], internalDomains: [], reportsPaused: false, createdAt: '2026-01-01T00:00:00.000Z' });
  await store.putAccount({ userId, accountId: 'acct', provider: 'google', address: ME, aliases: [], status: 'active', errorCount: 0, cursors: {}, lastSyncAt: '2026-11-24T05:30:00.000Z' });
  await store.putItems(userId, [
    mail({ from: ANN, to: [ME], at: daysAgo(2), names: { [ANN]: 'Ann Lee' } }),
    meetingWith('2026-11-24T09:00:00.000Z', [ANN]),
  ]);
});

function deps(over: Partial<BriefJobDeps> & { mailer: Mailer; clock: { t: number } }): BriefJobDeps {
  return {
    store,
    vault,
    sender: 'briefs@sinew.example.com',
    baseUrl: 'https://sinew.example.com',
    secret: SECRET,
    owner: `o${Math.random()}`,
    leaseMs: LEASE,
    ...over,
    now: () => new Date(over.clock.t),
  };
}

describe('runBriefJob', () => {
  it('sends the day\'s brief once, with the person\'s notes and one-click unsubscribe; duplicate deliveries send nothing more', async () => {
    await addNote({ store, vault, now: () => new Date(AT - 86_400_000) }, userId, ANN, 'Prefers calls before 10');
    const outbox = new Outbox();
    const clock = { t: AT + 60_000 };
    expect(await runBriefJob(job, deps({ mailer: outbox, clock }))).toMatchObject({ status: 'sent', date: '2026-11-24', meetings: 1, recorded: true });
    // The same job delivered three more times, one of them by a later worker.
    for (let i = 0; i < 2; i += 1) expect(await runBriefJob(job, deps({ mailer: outbox, clock }))).toEqual({ status: 'skipped', reason: 'already-sent' });
    clock.t += 3 * 3_600_000;
    expect(await runBriefJob(job, deps({ mailer: outbox, clock }))).toEqual({ status: 'skipped', reason: 'already-sent' });
    expect(outbox.sent).toHaveLength(1);
    const email = outbox.sent[0]!;
    expect(email.to).toBe(ME);
    expect(email.from).toBe('briefs@sinew.example.com');
    expect(email.text).toContain('Prefers calls before 10');
    expect(email.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const token = /^<https:\/\/sinew\.example\.com\/l\/(.+)>$/.exec(email.headers['List-Unsubscribe']!)![1]!;
    expect(verifyLink(SECRET, token, clock.t)).toMatchObject({ action: 'unsubscribe', userId });
    // The next day is another key: a job for it is not "already sent".
    expect((await store.claimSend(userId, 'brief#2026-11-25', 'probe', new Date(clock.t), LEASE))).toBe('claimed');
  });

  it('concurrent deliveries of one job: exactly one email', async () => {
    const outbox = new Outbox();
    const clock = { t: AT };
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => runBriefJob(job, deps({ mailer: outbox, clock }))));
    expect(outbox.sent).toHaveLength(1);
    expect(results.filter((r) => r.status === 'fulfilled' && r.value.status === 'sent')).toHaveLength(1);
    // The others found it sent, or busy (the queue retries those, and then they find it sent).
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(BriefBusyError);
  });

  it('a crash after the claim (worker died mid-build): the retry waits out the lease, then sends once', async () => {
    const outbox = new Outbox();
    const clock = { t: AT };
    // The dead attempt claimed and never sent nor gave the claim back.
    expect(await store.claimSend(userId, 'brief#2026-11-24', 'dead-worker', new Date(clock.t), LEASE)).toBe('claimed');
    clock.t += LEASE - 1;
    await expect(runBriefJob(job, deps({ mailer: outbox, clock }))).rejects.toThrow(BriefBusyError);
    expect(outbox.sent).toHaveLength(0);
    clock.t += 2;
    expect(await runBriefJob(job, deps({ mailer: outbox, clock }))).toMatchObject({ status: 'sent' });
    expect(await runBriefJob(job, deps({ mailer: outbox, clock }))).toEqual({ status: 'skipped', reason: 'already-sent' });
    expect(outbox.sent).toHaveLength(1);
  });

  it('a refused send gives the claim back at once; a timed-out one holds retries off until the lease ends', async () => {
    const outbox = new Outbox();
    const clock = { t: AT };
    outbox.next = new MailDeliveryError('throttled', true, { outcome: 'refused' });
    await expect(runBriefJob(job, deps({ mailer: outbox, clock }))).rejects.toThrow(/throttled/);
    expect(await runBriefJob(job, deps({ mailer: outbox, clock }))).toMatchObject({ status: 'sent' });
    expect(outbox.sent).toHaveLength(2);

    const other = { ...job, date: '2026-11-25', asOf: '2026-11-25T06:00:00.000Z' };
    await store.putItems(userId, [meetingWith('2026-11-25T09:00:00.000Z', [ANN])]);
    outbox.next = new MailDeliveryError('connection reset after DATA', true, { outcome: 'unknown' });
    await expect(runBriefJob(other, deps({ mailer: outbox, clock }))).rejects.toThrow(/connection reset/);
    await expect(runBriefJob(other, deps({ mailer: outbox, clock }))).rejects.toThrow(BriefBusyError);
    expect(outbox.sent).toHaveLength(3);
  });

  it('reads the person\'s settings at send time: briefs off, paused or unsubscribed since the dispatch sends nothing', async () => {
    const outbox = new Outbox();
    const clock = { t: AT };
    await store.updateUser(userId, { set: { briefsOff: true } });
    expect(await runBriefJob(job, deps({ mailer: outbox, clock }))).toEqual({ status: 'skipped', reason: 'briefs-off' });
    await store.updateUser(userId, { set: { briefsOff: false, reportsPaused: true } });
    expect(await runBriefJob(job, deps({ mailer: outbox, clock }))).toEqual({ status: 'skipped', reason: 'paused' });
    await store.updateUser(userId, { set: { unsubscribedAt: new Date(AT).toISOString() } });
    expect(await runBriefJob(job, deps({ mailer: outbox, clock }))).toEqual({ status: 'skipped', reason: 'unsubscribed' });
    expect(await runBriefJob({ ...job, userId: 'nobody' }, deps({ mailer: outbox, clock }))).toEqual({ status: 'skipped', reason: 'no-user' });
    expect(outbox.sent).toHaveLength(0);
    // Nothing was claimed: turned back on, the brief goes out.
    await store.updateUser(userId, { set: { reportsPaused: false }, remove: ['unsubscribedAt'] });
    expect(await runBriefJob(job, deps({ mailer: outbox, clock }))).toMatchObject({ status: 'sent' });
  });

  it('a day whose meeting was cancelled since the dispatch sends nothing and leaves the day unclaimed', async () => {
    const outbox = new Outbox();
    const clock = { t: AT };
    const cancelled = { ...job, date: '2026-11-26', asOf: '2026-11-26T06:00:00.000Z' };
    expect(await runBriefJob(cancelled, deps({ mailer: outbox, clock }))).toEqual({ status: 'skipped', reason: 'no-meetings' });
    expect(outbox.sent).toHaveLength(0);
    expect(await store.claimSend(userId, 'brief#2026-11-26', 'probe', new Date(clock.t), LEASE)).toBe('claimed');
  });
});
