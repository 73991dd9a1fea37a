import { gmail } from '@googleapis/gmail';
import type { gmail_v1 } from '@googleapis/gmail';
import { OAuth2Client } from 'google-auth-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { GMAIL_QUOTA_2026 } from '#lib/providers/google/quota.ts';
import { GmailMailbox, gmailHandler } from '#test/support/google/gmail-emulator.ts';
import { QuotaLedger } from '#test/support/google/quota.ts';
import { startGoogleEmulator } from '#test/support/google/server.ts';
import type { GoogleEmulator } from '#test/support/google/server.ts';

const T = Date.UTC(2026, 10, 1);
const NO_RETRY = { retry: false } as const;

let emulator: GoogleEmulator;
let box: GmailMailbox;
let ledger: QuotaLedger;
let client: gmail_v1.Gmail;
let clock: VirtualClock;

beforeEach(async () => {
  clock = new VirtualClock(T);
  box = new GmailMailbox('me@example.com');
  for (let i = 0; i < 7; i++) {
    box.addMessage({
      internalDate: T - i * 60_000,
      labelIds: i === 6 ? ['TRASH'] : ['INBOX'],
      headers: [
        { name: 'From', value: `a${i}@x.example` },
        { name: 'Subject', value: `s${i}` },
        { name: 'Received', value: 'by mx' },
      ],
    });
  }
  ledger = new QuotaLedger({ clock, limit: 100 });
  emulator = await startGoogleEmulator({ clock, handlers: [gmailHandler(box, { ledger, costs: GMAIL_QUOTA_2026.costs })] });
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 't', expiry_date: 4_102_444_800_000 });
  client = gmail({ version: 'v1', auth, rootUrl: emulator.url });
});
afterEach(() => emulator.close());

async function failure(p: Promise<unknown>): Promise<{ status: number; data: { error: { code: number; message: string; status: string; errors: Array<{ reason: string; domain: string }> } } }> {
  const err = (await p.then(() => null, (e: unknown) => e)) as { response: never } | null;
  expect(err).not.toBeNull();
  return err!.response;
}

describe('Gmail emulator wire format', () => {
  it('lists newest first in pages, leaving out Trash unless asked, with resultSizeEstimate', async () => {
    const first = await client.users.messages.list({ userId: 'me', maxResults: 4 }, NO_RETRY);
    expect(first.data.messages!.map((m) => m.id)).toEqual(box.newestFirst().slice(0, 4).map((m) => m.id));
    expect(first.data.resultSizeEstimate).toBe(6);
    const second = await client.users.messages.list({ userId: 'me', maxResults: 4, pageToken: first.data.nextPageToken! }, NO_RETRY);
    expect(second.data.messages).toHaveLength(2);
    expect(second.data.nextPageToken).toBeUndefined();
    const all = await client.users.messages.list({ userId: 'me', includeSpamTrash: true }, NO_RETRY);
    expect(all.data.messages).toHaveLength(7);
  });

  it('returns only the asked headers under format=metadata and honours fields', async () => {
    const id = box.newestFirst()[0]!.id;
    const res = await client.users.messages.get({ userId: 'me', id, format: 'metadata', metadataHeaders: ['From', 'Subject'], fields: 'id,internalDate,payload/headers' }, NO_RETRY);
    expect(res.data).toEqual({ id, internalDate: String(T), payload: { headers: [{ name: 'From', value: 'a0@x.example' }, { name: 'Subject', value: 's0' }] } });
  });

  it('refuses what the gmail.metadata scope refuses: q and format=full|raw', async () => {
    const q = await failure(client.users.messages.list({ userId: 'me', q: 'after:2026/01/01' }, NO_RETRY));
    expect(q.status).toBe(403);
    expect(q.data.error.message).toBe("Metadata scope does not support 'q' parameter");
    const id = box.newestFirst()[0]!.id;
    const full = await failure(client.users.messages.get({ userId: 'me', id }, NO_RETRY));
    expect(full.status).toBe(403);
    expect(full.data.error.message).toMatch(/Metadata scope doesn't allow format FULL/);
  });

  it('pages history from a start id and answers 404 with Google\'s body once it has expired', async () => {
    const start = String(box.historyId);
    box.trash(box.newestFirst()[0]!.id);
    const res = await client.users.history.list({ userId: 'me', startHistoryId: start, historyTypes: ['labelAdded'] }, NO_RETRY);
    expect(res.data.history).toHaveLength(1);
    expect(res.data.history![0]!.labelsAdded![0]!.labelIds).toEqual(['TRASH']);
    expect(res.data.history![0]!.labelsRemoved).toBeUndefined();
    expect(res.data.historyId).toBe(String(box.historyId));
    box.expireHistory();
    const gone = await failure(client.users.history.list({ userId: 'me', startHistoryId: start }, NO_RETRY));
    expect(gone.status).toBe(404);
    expect(gone.data.error).toMatchObject({ code: 404, status: 'NOT_FOUND', errors: [{ reason: 'notFound', domain: 'global' }] });
  });

  it('counts quota per user over a moving window and answers 429 with Google\'s body', async () => {
    for (let i = 0; i < 20; i++) await client.users.messages.list({ userId: 'me' }, NO_RETRY); // 100 units
    const over = await failure(client.users.getProfile({ userId: 'me' }, NO_RETRY));
    expect(over.status).toBe(429);
    expect(over.data.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED', errors: [{ reason: 'rateLimitExceeded' }] });
    expect(over.data.error.message).toMatch(/^User-rate limit exceeded\. {2}Retry after 2026-11-01T00:01:00\.000Z$/);
    expect(ledger.refusals).toBe(1);
    clock.advance(60_000);
    const profile = await client.users.getProfile({ userId: 'me' }, NO_RETRY);
    expect(profile.data).toMatchObject({ emailAddress: 'me@example.com', messagesTotal: 7, historyId: String(box.historyId) });
  });

  it('refuses a request without a bearer token with 401', async () => {
    const res = await fetch(`${emulator.url}gmail/v1/users/me/profile`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
  });
});
