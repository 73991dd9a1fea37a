import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailer, OutgoingEmail } from '#lib/mail/mailer.ts';
import { runReportJob, type ReportJobDeps } from '#lib/report/job.ts';
import { escapeHtml } from '#lib/report/escape.ts';
import { verifyLink, type LinkClaims } from '#lib/links/token.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { WHAT_IS_SHARED } from '#lib/team/sharing.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { LINK_SECRET } from '#test/support/report-job-fixtures.ts';
import { FIRM_AS_OF, seedPerson, type FirmPerson } from '#test/team/firm.ts';

/**
 * The weekly email's side of the team view's consent (DESIGN section 10, issue 13), through
 * runReportJob on dynalite: the first email after the team view starts tells the person
 * what is shared (HTML and text) with a signed stop-sharing link, and is recorded
 * (User.teamToldAt) once, however often the job is delivered; later emails carry one line;
 * a person who stopped sees "share again" and no team view; with the team view off
 * nothing of it shows.
 */

const BASE = 'https://sinew.example.com';
const DAY = 86_400_000;
const alex: FirmPerson = {
  email: 'alex@firm.example', name: 'Alex Morgan',
  contacts: [
    { address: 'oliver@acme.example', name: 'Oliver Grant', shape: 'fading' },
    { address: 'dee@delta.example', name: 'Dee Dee', shape: 'active' },
  ],
};
const sam: FirmPerson = { email: 'sam@firm.example', name: 'Sam Lee', contacts: [{ address: 'oliver@acme.example', name: 'Oliver Grant', shape: 'active' }] };

class Outbox implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    this.sent.push(email);
    return { messageId: `m${this.sent.length}` };
  }
}

let db: TestDynamo;
let store: DynamoStore;
let ids: { alex: string; sam: string };

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
  ids = { alex: await seedPerson(store, alex), sam: await seedPerson(store, sam) };
});
afterAll(async () => db.close());

const week = (n: number) => ({ asOf: new Date(FIRM_AS_OF.getTime() + n * 7 * DAY), week: `2026-W${48 + n}` });
function deps(outbox: Outbox, now: Date, team = true): ReportJobDeps {
  return { store, mailer: outbox, sender: 'reports@sinew.example.com', baseUrl: BASE, secret: LINK_SECRET, owner: `o${Math.random()}`, now: () => now, ...(team ? { team: true } : {}) };
}
const job = (userId: string, n: number) => ({ v: 1 as const, userId, week: week(n).week, asOf: week(n).asOf.toISOString() });
/** Every signed link of the HTML part, with its text and claims. */
function links(html: string, now: Date): Array<{ text: string; claims: LinkClaims }> {
  return [...html.matchAll(/<a href="([^"]+)"[^>]*>([^<]*)<\/a>/g)]
    .filter((m) => m[1]!.startsWith(`${BASE}/l/`))
    .map((m) => ({ text: m[2]!, claims: verifyLink(LINK_SECRET, m[1]!.slice(`${BASE}/l/`.length), now.getTime()) }));
}
const textLink = (text: string, label: string): LinkClaims | undefined => {
  const m = new RegExp(`^${label}: ${BASE}/l/(\\S+)$`, 'm').exec(text);
  return m ? verifyLink(LINK_SECRET, m[1]!, Date.now()) : undefined;
};

describe('the team view in the weekly email', () => {
  it('the first email tells what is shared, in HTML and text, with stop sharing, who knows whom and keep private links', async () => {
    const outbox = new Outbox();
    const now = week(0).asOf;
    expect(await runReportJob(job(ids.sam, 0), deps(outbox, now))).toMatchObject({ status: 'sent' });
    expect(await runReportJob(job(ids.alex, 0), deps(outbox, now))).toMatchObject({ status: 'sent' });
    const mail = outbox.sent.find((m) => m.to === alex.email)!;
    expect(mail.html).toContain('Your team view');
    expect(mail.html).toContain(escapeHtml(WHAT_IS_SHARED));
    expect(mail.text).toContain('YOUR TEAM VIEW');
    expect(mail.text).toContain(WHAT_IS_SHARED);
    const found = links(mail.html, now);
    expect(found.find((l) => l.text === 'Stop sharing')?.claims).toMatchObject({ action: 'stop-sharing', userId: ids.alex });
    expect(found.find((l) => l.text === 'Who knows whom?')?.claims).toMatchObject({ action: 'who-knows', userId: ids.alex });
    expect(textLink(mail.text, 'Stop sharing')).toMatchObject({ action: 'stop-sharing', userId: ids.alex });
    const privates = found.filter((l) => l.text === 'Keep private').map((l) => l.claims);
    expect(privates.length).toBeGreaterThan(0);
    for (const c of privates) expect(c).toMatchObject({ action: 'private', userId: ids.alex, contact: expect.stringContaining('@') });
    expect(privates.map((c) => c.contact)).toContain('oliver@acme.example');
    // The warm path, in both parts: Sam is in touch every week with Oliver, who went quiet on Alex.
    expect(mail.text).toMatch(/Sam Lee also knows Oliver Grant: ok, last contact \d+ \w+/);
    expect(mail.html).toContain('Sam Lee also knows Oliver Grant');
    expect((await store.getUser(ids.alex))!.teamToldAt).toBe(now.toISOString());
  });

  it('a duplicate delivery sends nothing and leaves the record of having told as it was', async () => {
    const outbox = new Outbox();
    const told = (await store.getUser(ids.alex))!.teamToldAt;
    const later = new Date(week(0).asOf.getTime() + 3_600_000);
    expect(await runReportJob(job(ids.alex, 0), deps(outbox, later))).toEqual({ status: 'skipped', reason: 'already-sent' });
    expect(outbox.sent).toEqual([]);
    expect((await store.getUser(ids.alex))!.teamToldAt).toBe(told);
  });

  it('later emails of a sharer carry one line with the who-knows page and stop sharing, not the whole notice', async () => {
    const outbox = new Outbox();
    const now = week(1).asOf;
    await runReportJob(job(ids.alex, 1), deps(outbox, now));
    const mail = outbox.sent[0]!;
    expect(mail.html).not.toContain(escapeHtml(WHAT_IS_SHARED));
    expect(mail.text).not.toContain(WHAT_IS_SHARED);
    expect(mail.text).toContain('You share your team view with your colleagues.');
    expect(textLink(mail.text, 'Who knows whom\\?')).toMatchObject({ action: 'who-knows', userId: ids.alex });
    expect(textLink(mail.text, 'Stop sharing')).toMatchObject({ action: 'stop-sharing' });
    expect((await store.getUser(ids.alex))!.teamToldAt).toBe(week(0).asOf.toISOString());
  });

  it('a person who stopped sees share again, no keep-private link and no colleague', async () => {
    await store.updateUser(ids.alex, { set: { teamSharing: 'stopped' } });
    const outbox = new Outbox();
    const now = week(2).asOf;
    await runReportJob(job(ids.alex, 2), deps(outbox, now));
    const mail = outbox.sent[0]!;
    expect(mail.text).toContain('You stopped sharing your team view');
    expect(textLink(mail.text, 'Share again')).toMatchObject({ action: 'share-again', userId: ids.alex });
    expect(links(mail.html, now).filter((l) => l.text === 'Keep private' || l.text === 'Stop sharing' || l.text === 'Who knows whom?')).toEqual([]);
    expect(mail.text).not.toContain('also knows');
    expect(mail.text).not.toContain('Keep private');
    await store.updateUser(ids.alex, { set: { teamSharing: 'sharing' } });
  });

  it('with the team view off the email says nothing of it, and nobody is recorded as told', async () => {
    const outbox = new Outbox();
    const now = week(0).asOf;
    const lee = await seedPerson(store, { email: 'lee@firm.example', name: 'Lee Park', contacts: [{ address: 'oliver@acme.example', name: 'Oliver Grant', shape: 'fading' }] });
    await runReportJob(job(lee, 0), deps(outbox, now, false));
    const mail = outbox.sent[0]!;
    expect(mail.text).not.toMatch(/team view|Keep private|also knows/);
    expect(mail.html).not.toMatch(/team view|Keep private|also knows/);
    expect((await store.getUser(lee))!.teamToldAt).toBeUndefined();
  });
});
