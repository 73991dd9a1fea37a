import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalKeyVault, type TokenVault } from '#lib/connect/token-vault.ts';
import type { Mailer, OutgoingEmail } from '#lib/mail/mailer.ts';
import { addNote } from '#lib/notes/notes.ts';
import { prepareWeeklyReport, runReportJob } from '#lib/report/job.ts';
import { defaultSettings } from '#lib/settings.ts';
import { verifyLink } from '#lib/links/token.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { LINK_SECRET, mailItem, seedUser } from '#test/support/report-job-fixtures.ts';

/**
 * The weekly report reads the person's notes (lib/notes) for the newest note's first line
 * beside each action (DESIGN section 9): only the notes of contacts the actions name are
 * opened, and notes that cannot be opened leave the email without them, never unsent.
 */

const asOf = new Date('2026-11-23T06:00:00.000Z');
const DAY = 86_400_000;
const ANN = 'ann@acme.com';

let db: TestDynamo;
let store: DynamoStore;
let userId: string;
const vault = LocalKeyVault.fromKey(Buffer.alloc(32, 3));

/** The vault, counting what it opens. */
function counting(inner: TokenVault): TokenVault & { opened: number } {
  const v = { opened: 0, seal: inner.seal.bind(inner), open: async (sealed: string, context: Record<string, string>) => {
    v.opened += 1;
    return inner.open(sealed, context);
  } };
  return v;
}

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
  const { user, account } = await seedUser(store, { email: 'noted@example.com', timeZone: 'UTC', asOf });
  userId = user.userId;
  // Ann wrote four days ago and has no reply: the email's first action is about her.
  await store.putItems(userId, [mailItem(account.accountId, 'owed', new Date(asOf.getTime() - 4 * DAY).toISOString(), ANN, user.email, false)]);
  const at = (days: number) => () => new Date(asOf.getTime() - days * DAY);
  await addNote({ store, vault, now: at(30) }, userId, ANN, 'An older note about Ann');
  await addNote({ store, vault, now: at(2) }, userId, ANN, 'Prefers calls before 10\nDaughter starts university in September');
  await addNote({ store, vault, now: at(1) }, userId, 'zed@elsewhere.org', 'Someone no action names');
}, 30_000);
afterAll(async () => db.close());

describe('prepareWeeklyReport with the person’s notes', () => {
  it('puts the first line of the newest note on a contact beside their action, opening only theirs', async () => {
    const opening = counting(vault);
    const prepared = await prepareWeeklyReport(store, userId, { asOf, settings: defaultSettings, vault: opening });
    expect(prepared.notes).toEqual({ state: 'read' });
    expect(prepared.text).toMatch(/1\. Reply to ann@acme\.com\n {3}.*\n {3}Your note: Prefers calls before 10\n/);
    expect(prepared.html).toContain('Your note:</span> Prefers calls before 10</div>');
    for (const part of [prepared.text, prepared.html]) {
      expect(part).not.toContain('Daughter starts university');
      expect(part).not.toContain('An older note');
      expect(part).not.toContain('Someone no action names');
    }
    // Ann's newest note only: not her older one, not Zed's.
    expect(opening.opened).toBe(1);
  });

  it('shows no notes without a vault', async () => {
    const prepared = await prepareWeeklyReport(store, userId, { asOf, settings: defaultSettings });
    expect(prepared.notes).toEqual({ state: 'off' });
    expect(prepared.text).not.toContain('Your note');
    expect(prepared.text).toContain('1. Reply to ann@acme.com');
  });

  it('still renders the email, without notes, when they cannot be opened (another key)', async () => {
    const prepared = await prepareWeeklyReport(store, userId, { asOf, settings: defaultSettings, vault: LocalKeyVault.fromKey(Buffer.alloc(32, 9)) });
    expect(prepared.notes.state).toBe('failed');
    expect(prepared.text).toContain('1. Reply to ann@acme.com');
    expect(prepared.text).not.toContain('Your note');
  });
});

describe('the notes link beside each action', () => {
  it('is signed for this person and that contact, and opens their notes page', async () => {
    const prepared = await prepareWeeklyReport(store, userId, {
      asOf, settings: defaultSettings, vault, linkIssuer: { baseUrl: 'https://sinew.example.com', secret: LINK_SECRET, now: asOf },
    });
    const href = /^ {3}Notes: (\S+)$/m.exec(prepared.text)?.[1];
    expect(href).toBeDefined();
    expect(prepared.html).toContain(`href="${href}"`);
    const token = new URL(href!).pathname.replace(/^\/l\//, '');
    expect(verifyLink(LINK_SECRET, token, asOf.getTime())).toMatchObject({ action: 'notes', userId, contact: ANN });
  });
});

describe('runReportJob with a vault', () => {
  it('sends the email with the note and says the notes were read', async () => {
    const sent: OutgoingEmail[] = [];
    const mailer: Mailer = { send: async (email) => (sent.push(email), { messageId: `m${sent.length}` }) };
    const result = await runReportJob(
      { v: 1, userId, week: '2026-W48', asOf: asOf.toISOString() },
      { store, mailer, sender: 'reports@sinew.example.com', baseUrl: 'https://sinew.example.com', secret: LINK_SECRET, owner: 'o1', now: () => asOf, vault },
    );
    expect(result).toMatchObject({ status: 'sent', notes: { state: 'read' } });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toContain('Your note: Prefers calls before 10');
    expect(sent[0]!.html).toContain('Prefers calls before 10');
  });
});
