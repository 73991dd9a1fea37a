import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailer, OutgoingEmail } from '#lib/mail/mailer.ts';
import { prepareWeeklyReport, runReportJob, type ReportJobDeps } from '#lib/report/job.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import type { Account } from '#lib/store/types.ts';
import { accountIdFor } from '#lib/connect/identity.ts';
import { defaultSettings } from '#lib/settings.ts';
import { verifyLink } from '#lib/links/token.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { LINK_SECRET, seedUser } from '#test/support/report-job-fixtures.ts';

/**
 * What the weekly email says about the mailboxes behind it: each one's last successful
 * sync, a mailbox whose syncs keep failing shown as stale after a day (issue 10, item 9),
 * and a missing calendar with the way to add it (DESIGN section 4).
 */

let db: TestDynamo;
let store: DynamoStore;
const asOf = new Date('2026-11-23T06:00:00.000Z');
const HOUR = 3_600_000;
const CALENDAR_SCOPES = ['https://www.googleapis.com/auth/gmail.metadata', 'https://www.googleapis.com/auth/calendar.events.readonly'];

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
});
afterAll(async () => db.close());

class Outbox implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    this.sent.push(email);
    return { messageId: `m${this.sent.length}` };
  }
}

async function sendFor(email: string, account: Partial<Account>, now = asOf): Promise<OutgoingEmail> {
  const { user, account: seeded } = await seedUser(store, { email, timeZone: 'Europe/Paris', asOf });
  await store.putAccount({ ...seeded, grantedScopes: CALENDAR_SCOPES, ...account });
  const outbox = new Outbox();
  const deps: ReportJobDeps = {
    store, mailer: outbox, sender: 'reports@sinew.example.com', baseUrl: 'https://sinew.example.com', secret: LINK_SECRET,
    owner: `o-${email}`, now: () => now,
  };
  await runReportJob({ v: 1, userId: user.userId, week: '2026-W48', asOf: asOf.toISOString() }, deps);
  expect(outbox.sent).toHaveLength(1);
  return outbox.sent[0]!;
}

describe('the weekly email and its mailboxes', () => {
  it('states each mailbox’s last successful sync, in the person’s time zone', async () => {
    const mail = await sendFor('fresh@example.com', { lastSyncAt: new Date(asOf.getTime() - 5 * HOUR).toISOString() });
    // 01:00Z is 02:00 in Paris.
    expect(mail.text).toContain('fresh@example.com: last synced 23 Nov 2026, 02:00');
    expect(mail.html).toContain('fresh@example.com: last synced 23 Nov 2026, 02:00');
    expect(mail.text).not.toMatch(/stale|has not synced/i);
  });

  it('shows a mailbox whose syncs have kept failing for over a day as stale, and not before', async () => {
    const lastSyncAt = new Date(asOf.getTime() - 50 * HOUR).toISOString();
    const stale = await sendFor('stale@example.com', { lastSyncAt, failingSince: new Date(asOf.getTime() - 25 * HOUR).toISOString() });
    for (const part of [stale.text, stale.html]) {
      expect(part).toContain('Sinew has not been able to sync stale@example.com since 21 Nov 2026, 05:00');
      expect(part).toContain('stale@example.com: last synced 21 Nov 2026, 05:00 (stale)');
    }
    const recent = await sendFor('blip@example.com', { lastSyncAt, failingSince: new Date(asOf.getTime() - 2 * HOUR).toISOString() });
    expect(recent.text).not.toContain('has not been able to sync');
    expect(recent.text).toContain('blip@example.com: last synced 21 Nov 2026, 05:00');
    expect(recent.text).not.toContain('(stale)');
  });

  it('tells the owner how many items the store had to skip on a mailbox, and says nothing when none were', async () => {
    const mail = await sendFor('skipped@example.com', { skippedItems: 2 });
    for (const part of [mail.text, mail.html]) expect(part).toMatch(/skipped@example\.com: last synced [^;<]+; 2 items too large to store, skipped/);
    const clean = await sendFor('clean@example.com', {});
    expect(clean.text).not.toContain('too large to store');
  });

  it('says a mailbox never synced so', async () => {
    const mail = await sendFor('never@example.com', { lastSyncAt: undefined });
    expect(mail.text).toContain('never@example.com: not synced yet');
  });

  it('says the calendar is missing when the grant left it out, with a link to reconnect granting it', async () => {
    const mail = await sendFor('nocal@example.com', { grantedScopes: ['https://www.googleapis.com/auth/gmail.metadata'] });
    expect(mail.text).toContain('No calendar connected');
    expect(mail.text).toContain('Reconnect nocal@example.com and leave calendar access ticked');
    // The link renews only this mailbox (a reconnect token naming the account), never a join.
    const link = /Add your calendar: (https:\/\/sinew\.example\.com\/connect\/google\?link=(\S+))/.exec(mail.text);
    expect(link).not.toBeNull();
    const claims = verifyLink(LINK_SECRET, decodeURIComponent(link![2]!), asOf.getTime());
    expect(claims).toMatchObject({ action: 'reconnect', accountId: accountIdFor('google', 'nocal@example.com') });
    expect(mail.html).toContain(`href="${link![1]!.replace(/&/g, '&amp;')}"`);
    expect(mail.text).not.toContain('sinew import');
    const withCalendar = await sendFor('cal@example.com', {});
    expect(withCalendar.text).not.toContain('No calendar connected');
  });

  it('locally, tells how to add the calendar from the command line', async () => {
    const { user, account } = await seedUser(store, { email: 'local@example.com', timeZone: 'UTC', asOf });
    await store.putAccount({ ...account, grantedScopes: ['https://www.googleapis.com/auth/gmail.metadata'] });
    const files: Account = { ...account, accountId: accountIdFor('files', 'local@example.com'), provider: 'files', grantedScopes: [] };
    await store.putAccount(files);
    const prepared = await prepareWeeklyReport(store, user.userId, { asOf, settings: defaultSettings });
    expect(prepared.json.calendar).toBe('missing');
    expect(prepared.text).toContain('sinew connect gmail');
    expect(prepared.text).toContain('sinew import --ics FILE');
  });
});
