import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { briefEmail, prepareBrief, type PreparedBrief } from '#lib/brief/job.ts';
import { briefJsonSchema } from '#lib/brief/schema.ts';
import { applyLinkAction } from '#lib/links/actions.ts';
import { verifyLink } from '#lib/links/token.ts';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { addNote } from '#lib/notes/notes.ts';
import { defaultSettings } from '#lib/settings.ts';
import type { Store } from '#lib/store/types.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { AS_OF, ME, daysAgo, mail, meetingWith } from './world.ts';

/**
 * prepareBrief (issue 12): build, the person's notes on the attendees, signed links and
 * render, shared by `sinew brief` and the AWS worker; nothing to send without a briefed
 * meeting, with briefs off, paused or unsubscribed.
 */

const ANN = 'ann@partner.io';
const SECRET = Buffer.alloc(32, 3);
const NOW = new Date('2026-11-24T06:00:00.000Z');
const vault = LocalKeyVault.fromKey(Buffer.alloc(32, 4));

let db: TestDynamo;
let store: Store;
let n = 0;
let userId: string;

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
});
afterAll(async () => db.close());
beforeEach(async () => {
  n += 1;
  userId = `u-brief-job-${n}`;
  await store.putUser({ userId, email: ME, timeZone: 'Europe/Paris', me: [], internalDomains: [], reportsPaused: false, createdAt: '2026-01-01T00:00:00.000Z' });
  await store.putAccount({ userId, accountId: 'acct', provider: 'google', address: ME, aliases: [], status: 'active', errorCount: 0, cursors: {}, lastSyncAt: '2026-11-24T05:30:00.000Z' });
  await store.putItems(userId, [
    mail({ from: ME, to: [ANN], at: daysAgo(10) }),
    mail({ from: ANN, to: [ME], at: daysAgo(2), names: { [ANN]: 'Ann Lee' } }),
    meetingWith('2026-11-24T09:00:00.000Z', [ANN]),
  ]);
});

const prepare = (extra: Partial<Parameters<typeof prepareBrief>[2]> = {}) =>
  prepareBrief(store, userId, { now: NOW, settings: defaultSettings, linkIssuer: { baseUrl: 'https://sinew.example', secret: SECRET, now: NOW }, ...extra });

describe('prepareBrief', () => {
  it('builds, renders and signs the brief of a day with a meeting, with the person’s notes on the attendee', async () => {
    const notes = { store, vault, now: () => NOW };
    await addNote(notes, userId, ANN, 'Prefers calls before 10');
    await addNote({ ...notes, now: () => new Date(NOW.getTime() + 1000) }, userId, ANN, 'Daughter <starts> university');
    const prepared = (await prepare({ vault })) as PreparedBrief;
    expect(prepared.status).toBe('ready');
    expect(briefJsonSchema.parse(JSON.parse(prepared.serialized))).toEqual(prepared.json);
    expect(prepared.date).toBe('2026-11-24');
    expect(prepared.subject).toBe('Your meeting today: 10:00 with Partner');
    expect(prepared.json.meetings[0]!.attendees[0]!.notes.map((x) => x.text)).toEqual(['Daughter <starts> university', 'Prefers calls before 10']);
    expect(prepared.text).toContain('- Ann Lee (Partner)');
    expect(prepared.text).toContain('You owe Ann a reply since Sunday.');
    expect(prepared.html).toContain('Daughter &lt;starts&gt; university');
    expect(prepared.text).toContain(`${ME}: last synced 24 Nov 2026, 06:30`);

    const email = briefEmail(prepared, 'sinew@briefs.example.com');
    expect(email.to).toBe(ME);
    expect(email.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const unsubscribe = /^<https:\/\/sinew\.example\/l\/(.+)>$/.exec(email.headers['List-Unsubscribe']!)![1]!;
    expect(verifyLink(SECRET, unsubscribe, NOW.getTime())).toMatchObject({ action: 'unsubscribe', userId });
    // The same person and day: the same Message-ID, so a rare double send shows once.
    expect(briefEmail((await prepare()) as PreparedBrief, 'sinew@briefs.example.com').headers['Message-ID']).toBe(email.headers['Message-ID']);
  });

  it('without a vault shows no notes, and without a link issuer no links', async () => {
    await addNote({ store, vault, now: () => NOW }, userId, ANN, 'kept private');
    const prepared = (await prepareBrief(store, userId, { now: NOW, settings: defaultSettings })) as PreparedBrief;
    expect(prepared.text).not.toContain('kept private');
    expect(prepared.links).toBeUndefined();
    expect(prepared.html).not.toContain('href=');
  });

  it('says a mailbox whose syncs keep failing is stale, from the account as stored (lib/sync/freshness.ts)', async () => {
    await store.updateAccount(userId, 'acct', { set: { lastSyncAt: '2026-11-22T04:00:00.000Z', failingSince: '2026-11-22T05:00:00.000Z' } });
    const prepared = (await prepare()) as PreparedBrief;
    const stale = `Sinew has not been able to sync ${ME} since 22 Nov 2026, 05:00, so this brief may miss recent mail and meetings.`;
    expect(prepared.text).toContain(stale);
    expect(prepared.text).toContain(`${ME}: last synced 22 Nov 2026, 05:00 (stale)`);
    expect(prepared.html).toContain(stale);
  });

  it('returns nothing to send on a day without a briefed meeting, with the empty brief for whoever asked', async () => {
    const none = await prepare({ date: '2026-11-25' });
    expect(none).toMatchObject({ status: 'none', reason: 'no-meetings' });
    expect(none.status === 'none' && none.json?.meetings).toEqual([]);
  });

  it('returns nothing once the briefs-off link was applied, and a brief again after briefs-on', async () => {
    const link = (action: 'briefs-off' | 'briefs-on') => ({ action, userId, expiresAt: NOW.getTime() + 1000 });
    await applyLinkAction(link('briefs-off'), { store, now: () => NOW });
    expect(await prepare()).toEqual({ status: 'none', reason: 'briefs-off' });
    await applyLinkAction(link('briefs-on'), { store, now: () => NOW });
    expect((await prepare()).status).toBe('ready');
  });

  it('returns nothing for a paused or unsubscribed person, or one who is gone', async () => {
    await store.updateUser(userId, { set: { reportsPaused: true } });
    expect(await prepare()).toEqual({ status: 'none', reason: 'paused' });
    await store.updateUser(userId, { set: { unsubscribedAt: AS_OF.toISOString() } });
    expect(await prepare()).toEqual({ status: 'none', reason: 'unsubscribed' });
    expect(await prepareBrief(store, 'nobody', { now: NOW, settings: defaultSettings })).toEqual({ status: 'none', reason: 'no-user' });
  });
});
