import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailDeliveryError } from '#lib/mail/errors.ts';
import type { Mailer, OutgoingEmail } from '#lib/mail/mailer.ts';
import { SendBusyError } from '#lib/mail/send-once.ts';
import { ReportBusyError, runReportJob, type ReportJobDeps } from '#lib/report/job.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import type { Store } from '#lib/store/types.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { LINK_SECRET, seedUser } from '#test/support/report-job-fixtures.ts';

let db: TestDynamo;
let store: DynamoStore;
const asOf = new Date('2026-11-23T06:00:00.000Z');
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

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
});
afterAll(async () => db.close());

function deps(over: Partial<ReportJobDeps> & { mailer: Mailer; clock: { t: number } }): ReportJobDeps {
  return {
    store,
    sender: 'reports@sinew.example.com',
    baseUrl: 'https://sinew.example.com',
    secret: LINK_SECRET,
    owner: `o${Math.random()}`,
    leaseMs: LEASE,
    ...over,
    now: () => new Date(over.clock.t),
  };
}

describe('runReportJob bookkeeping', () => {
  it('a crash between send and receipt: no resend while the lease runs, one resend after (the documented at-most-twice)', async () => {
    const { user } = await seedUser(store, { email: 'crash@example.com', timeZone: 'UTC', asOf });
    const job = { v: 1 as const, userId: user.userId, week: '2026-W48', asOf: asOf.toISOString() };
    const outbox = new Outbox();
    const clock = { t: asOf.getTime() };
    // The receipt write fails, as if the worker died right after SES accepted.
    const noReceipt: Store = Object.assign(Object.create(store) as Store, {
      markSent: () => Promise.reject(new Error('worker died')),
    });
    expect(await runReportJob(job, deps({ store: noReceipt, mailer: outbox, clock }))).toMatchObject({ status: 'sent', recorded: false });
    clock.t += LEASE - 1;
    await expect(runReportJob(job, deps({ mailer: outbox, clock }))).rejects.toThrow(ReportBusyError);
    clock.t += 1;
    expect(await runReportJob(job, deps({ mailer: outbox, clock }))).toMatchObject({ status: 'sent', recorded: true });
    expect(await runReportJob(job, deps({ mailer: outbox, clock }))).toEqual({ status: 'skipped', reason: 'already-sent' });
    expect(outbox.sent).toHaveLength(2);
    expect(outbox.sent[0]!.headers['Message-ID']).toBe(outbox.sent[1]!.headers['Message-ID']);
  });

  it('keeps the claim after a send whose outcome is unknown, and gives it back after a refusal', async () => {
    const { user } = await seedUser(store, { email: 'timeout@example.com', timeZone: 'UTC', asOf });
    const job = { v: 1 as const, userId: user.userId, week: '2026-W48', asOf: asOf.toISOString() };
    const outbox = new Outbox();
    const clock = { t: asOf.getTime() };
    outbox.next = new MailDeliveryError('timed out', true, { outcome: 'unknown' });
    await expect(runReportJob(job, deps({ mailer: outbox, clock }))).rejects.toThrow(/timed out/);
    await expect(runReportJob(job, deps({ mailer: outbox, clock }))).rejects.toThrow(ReportBusyError);
    // The shared claim (sendOnce) throws the report's own busy error, which is also its SendBusyError.
    const busy = await runReportJob(job, deps({ mailer: outbox, clock })).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(SendBusyError);
    expect(busy).toMatchObject({ name: 'ReportBusyError', message: `the 2026-W48 report of ${user.userId} is being sent by another worker; retry later` });

    const other = await seedUser(store, { email: 'refused@example.com', timeZone: 'UTC', asOf });
    const job2 = { ...job, userId: other.user.userId };
    outbox.next = new MailDeliveryError('throttled', true);
    await expect(runReportJob(job2, deps({ mailer: outbox, clock }))).rejects.toThrow(/throttled/);
    expect(await runReportJob(job2, deps({ mailer: outbox, clock }))).toMatchObject({ status: 'sent' });
  });

  it('skips users who are gone or paused, without claiming', async () => {
    const outbox = new Outbox();
    const clock = { t: asOf.getTime() };
    const job = { v: 1 as const, userId: 'u-nobody', week: '2026-W48', asOf: asOf.toISOString() };
    expect(await runReportJob(job, deps({ mailer: outbox, clock }))).toEqual({ status: 'skipped', reason: 'no-user' });
    const { user } = await seedUser(store, { email: 'paused@example.com', timeZone: 'UTC', asOf, reportsPaused: true });
    expect(await runReportJob({ ...job, userId: user.userId }, deps({ mailer: outbox, clock }))).toEqual({ status: 'skipped', reason: 'paused' });
    expect(outbox.sent).toHaveLength(0);
  });
});
