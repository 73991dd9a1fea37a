import type { QuotaModel } from '#lib/providers/governor.ts';

/**
 * Google's per-user quotas (DESIGN section 8), as the governor spends them: what each
 * Gmail and Calendar method a metadata sync calls costs, and the window it refills in.
 */

/** The Gmail methods a metadata sync calls. */
export type GmailMethod = 'messages.get' | 'threads.get' | 'messages.list' | 'history.list' | 'getProfile';

/**
 * Gmail quota for projects created from May 2026 (DESIGN section 8): 6,000 units per
 * minute per user; `messages.get` 20, `threads.get` 40.
 */
export const GMAIL_QUOTA_2026: QuotaModel<GmailMethod> = {
  name: 'gmail-2026',
  limit: 6_000,
  windowMs: 60_000,
  costs: { 'messages.get': 20, 'threads.get': 40, 'messages.list': 5, 'history.list': 2, getProfile: 1 },
};

/**
 * Gmail quota of older projects, per https://developers.google.com/gmail/api/reference/quota
 * (15,000 units per user per minute; `messages.get` 5, `threads.get` 10, `messages.list` 5,
 * `history.list` 2, `getProfile` 1).
 */
export const GMAIL_QUOTA_LEGACY: QuotaModel<GmailMethod> = {
  name: 'gmail-legacy',
  limit: 15_000,
  windowMs: 60_000,
  costs: { 'messages.get': 5, 'threads.get': 10, 'messages.list': 5, 'history.list': 2, getProfile: 1 },
};

/** Google Calendar: 600 requests per minute per user (DESIGN section 8), one unit each. */
export const GCAL_QUOTA: QuotaModel<'events.list'> = {
  name: 'gcal',
  limit: 600,
  windowMs: 60_000,
  costs: { 'events.list': 1 },
};
