import type { MailItem } from '#lib/items/types.ts';
import { localPartOf } from '#lib/items/normalize.ts';

/**
 * Automated, bulk and broadcast mail (DESIGN section 3): messages that never count as a
 * relationship, whoever sent them.
 */

/**
 * Why a message is automated or bulk, for tests and diagnostics:
 * `header:<signal>`, `sender:<canonical local part>` or `label:<label>`.
 */
export type AutomatedReason = `header:${string}` | `sender:${string}` | `label:${string}`;

/**
 * Labels that mark mail as not a personal exchange: Gmail spam, drafts (never sent)
 * and the category tabs; Graph's Junk Email and Drafts folders and Focused Inbox
 * `other`, Graph's counterpart of the category tabs.
 */
export const AUTOMATED_LABELS: ReadonlySet<string> = new Set([
  'SPAM', 'DRAFT', 'CATEGORY_PROMOTIONS', 'CATEGORY_SOCIAL', 'CATEGORY_UPDATES', 'CATEGORY_FORUMS',
  'folder:junkemail', 'folder:drafts', 'inference:other',
]);

/**
 * Sender local parts of machines, in canonical form (see {@link canonicalLocalPart}),
 * matched against the whole local part: `notifications` is a robot but
 * `notifications.team.lead` could be a person, so no substring matching here.
 */
export const AUTOMATED_LOCAL_PARTS: ReadonlySet<string> = new Set([
  'noreply', 'donotreply', 'notifications', 'notification', 'mailerdaemon', 'postmaster',
  'bounce', 'bounces',
]);

/**
 * Local-part prefixes that no person has, matched at the start of the canonical local
 * part: they catch `noreply-dmarc-support`, `no_reply.billing`, `donotreply123`.
 */
const AUTOMATED_PREFIXES = ['noreply', 'donotreply'] as const;

/**
 * The local part with any `+tag` removed and the separators `.`, `-`, `_` dropped, so
 * that `no-reply`, `no_reply`, `no.reply`, `noreply+abc` and `NoReply` (already
 * lower-cased by normalization) are one spelling, as are `mailer-daemon` and
 * `MAILER_DAEMON`.
 */
export function canonicalLocalPart(address: string): string {
  const local = localPartOf(address);
  const plus = local.indexOf('+');
  return (plus >= 0 ? local.slice(0, plus) : local).replace(/[.\-_]/g, '');
}

/** The automated reason carried by one header signal (see MailItem.bulkSignals), or null. */
function signalReason(signal: string): AutomatedReason | null {
  const s = signal.trim().toLowerCase();
  const colon = s.indexOf(':');
  const name = colon >= 0 ? s.slice(0, colon).trim() : s;
  const value = colon >= 0 ? s.slice(colon + 1).trim() : '';
  switch (name) {
    case 'list-id':
    case 'list-unsubscribe':
      return `header:${name}`;
    case 'precedence':
      return value === 'bulk' || value === 'list' || value === 'junk' ? `header:precedence:${value}` : null;
    case 'auto-submitted':
      // RFC 3834: present and not `no` means a machine sent it; an empty value is still present.
      return value === 'no' ? null : `header:auto-submitted:${value}`;
    default:
      return null;
  }
}

/**
 * The first reason (headers, then sender, then labels) that makes a message automated
 * or bulk, or null when it is a personal message.
 */
export function automatedReason(item: MailItem): AutomatedReason | null {
  for (const signal of item.bulkSignals) {
    const reason = signalReason(signal);
    if (reason) return reason;
  }
  if (item.from) {
    const reason = automatedSenderReason(item.from);
    if (reason) return reason;
  }
  for (const label of item.labels) {
    if (AUTOMATED_LABELS.has(label)) return `label:${label}`;
  }
  return null;
}

/** The sender rule of {@link automatedReason} alone: a machine's local part, or null. */
export function automatedSenderReason(from: string): AutomatedReason | null {
  const local = canonicalLocalPart(from);
  return AUTOMATED_LOCAL_PARTS.has(local) || AUTOMATED_PREFIXES.some((p) => local.startsWith(p)) ? `sender:${local}` : null;
}

/**
 * How many distinct addresses a message went to, as the broadcast rule counts them:
 * To and Cc, plus Bcc on the user's own sent mail (on received mail a Bcc list, where
 * present at all, is the sender's business and says nothing about the audience Me saw).
 * An address named twice counts once.
 */
export function recipientCount(item: MailItem, outbound: boolean): number {
  // The store cut the lists of a very large message and kept the exact counts.
  if (item.recipientCounts) return outbound ? item.recipientCounts.all : item.recipientCounts.toCc;
  const seen = new Set<string>(item.to);
  for (const a of item.cc) seen.add(a);
  if (outbound) for (const a of item.bcc) seen.add(a);
  return seen.size;
}

/** Broadcast: more than `maxRecipients` recipients (DESIGN section 3). */
export function isBroadcast(item: MailItem, outbound: boolean, maxRecipients: number): boolean {
  // Cheap bound first: most mail has few recipients, so skip building the set.
  const upper = item.to.length + item.cc.length + (outbound ? item.bcc.length : 0);
  if (upper <= maxRecipients && !item.recipientCounts) return false;
  return recipientCount(item, outbound) > maxRecipients;
}
