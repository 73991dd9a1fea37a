import type { MailItem, MeetingItem } from '#lib/items/types.ts';

/** Item builders for the store tests: every field set, so a lost field shows. */
export function mail(overrides: Partial<MailItem> = {}): MailItem {
  return {
    kind: 'mail',
    accountId: 'acc1',
    source: 'gmail',
    providerId: '18c2f0a1b2c3d4e5',
    messageId: 'cafe.1234@mail.example.com',
    threadId: '18c2f0a1b2c3d4e0',
    at: '2026-11-20T09:12:00.000Z',
    from: 'ann@acme.com',
    to: ['me@example.com', 'bob@acme.com'],
    cc: ['carol@acme.com'],
    bcc: ['dave@example.org'],
    names: { 'ann@acme.com': 'Ann Lee', 'bob@acme.com': 'Bob Ng' },
    replyTo: ['parent.1@mail.example.com', 'root.0@mail.example.com'],
    subjectHash: 'q2ZcS0oV',
    labels: ['INBOX', 'IMPORTANT'],
    bulkSignals: ['list-id'],
    ...overrides,
  };
}

/** A mail item with every optional value at its empty form (null, [], {}). */
export function bareMail(overrides: Partial<MailItem> = {}): MailItem {
  return mail({
    messageId: null,
    threadId: null,
    from: null,
    to: [],
    cc: [],
    bcc: [],
    names: {},
    replyTo: [],
    subjectHash: null,
    labels: [],
    bulkSignals: [],
    ...overrides,
  });
}

export function meeting(overrides: Partial<MeetingItem> = {}): MeetingItem {
  return {
    kind: 'meeting',
    accountId: 'acc1',
    source: 'gcal',
    providerId: 'evt42_20261118T150000Z',
    occurrenceKey: 'uid-42@google.com#2026-11-18T15:00:00.000Z',
    start: '2026-11-18T15:00:00.000Z',
    end: '2026-11-18T15:30:00.000Z',
    status: 'confirmed',
    organizer: 'me@example.com',
    attendees: [
      { address: 'me@example.com', response: 'accepted' },
      { address: 'ann@acme.com', name: 'Ann Lee', response: 'tentative' },
      { address: 'zed@acme.com', response: 'declined' },
    ],
    ...overrides,
  };
}

/** `count` distinct mail items of one account, ids `m0000`, `m0001`, ... */
export function mails(count: number, overrides: Partial<MailItem> = {}): MailItem[] {
  return Array.from({ length: count }, (_, i) =>
    mail({
      providerId: `m${String(i).padStart(4, '0')}`,
      at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
      ...overrides,
    }),
  );
}
