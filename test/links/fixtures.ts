import type { Account, User } from '#lib/store/types.ts';

/** A connected person as the connect flow stores them. */
export function aUser(userId = 'u-links', overrides: Partial<User> = {}): User {
  return {
    userId,
    email: 'pat@example.com',
    timeZone: 'Europe/London',
    me: ['pat@example.com'],
    internalDomains: [],
    reportsPaused: false,
    createdAt: '2026-01-05T09:00:00.000Z',
    ...overrides,
  };
}

/** An account of `userId`; give `encryptedToken` for a connected mailbox. */
export function anAccount(userId: string, provider: Account['provider'], address: string, extra: Partial<Account> = {}): Account {
  return {
    userId,
    accountId: `${provider}-${address.replace(/[^a-z0-9]/g, '')}`,
    provider,
    address,
    aliases: [],
    status: 'active',
    errorCount: 0,
    cursors: { history: '42' },
    ...extra,
  };
}
