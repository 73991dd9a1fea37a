import type { Account, Store, User } from '#lib/store/types.ts';
import type { Settings } from '#lib/settings.ts';
import type { TokenVault } from '#lib/connect/token-vault.ts';
import type { OutgoingEmail } from '#lib/mail/mailer.ts';
import type { MailboxInput } from '#lib/report/model.ts';
import type { BriefJson } from './schema.ts';
import type { ColleagueLookup } from './compute.ts';
import { buildBrief } from './build.ts';
import { briefStop } from './dispatch.ts';
import { newestFirst } from './attendees.ts';
import { serializeBrief } from './json.ts';
import { renderBrief } from './render.ts';
import { briefLinksFor, type BriefLinks } from '#lib/links/brief-links.ts';
import { notesByContact } from '#lib/notes/notes.ts';
import { syncFreshness } from '#lib/sync/freshness.ts';
import { stableMessageId } from '#lib/mail/compose.ts';
import { briefColleagues } from '#lib/team/brief.ts';

/**
 * One person's meeting brief, from store to email (DESIGN section 9): build (lib/brief/
 * build.ts), the person's notes on the attendees, signed links, render. Shared by
 * `sinew brief` and the AWS brief worker, which adds the one-email-per-local-day claim.
 * Nothing is stored.
 */

/** Why there is nothing to send. */
export type NoBriefReason = 'no-user' | 'briefs-off' | 'paused' | 'unsubscribed' | 'no-meetings';

interface PrepareBriefOptions {
  /** The person's local day `YYYY-MM-DD`; default their local day at `now`. */
  date?: string;
  /** The instant the figures are as of; default 07:00 local on the day. */
  asOf?: Date;
  /** The present: the default day, and how current each mailbox is. */
  now: Date;
  settings: Settings;
  /** Opens the person's notes (KMS in AWS, the local master key locally); without it the brief shows none. */
  vault?: TokenVault;
  /** Colleagues who know an attendee (team view on); none by default. */
  colleagues?: ColleagueLookup;
  /**
   * The deployment's team view is on (DESIGN section 10): each attendee's colleagues are
   * read from the team index (lib/team/brief.ts), for a person who shares; a non-sharer
   * sees none. Without it (and without `colleagues`) nothing of the team is read.
   */
  team?: boolean;
  /** Issues the email's signed links; none (a file on disk) without it. */
  linkIssuer?: { baseUrl: string; secret: Uint8Array; now: Date };
}

/** A brief ready to send. */
export interface PreparedBrief {
  status: 'ready';
  user: User;
  accounts: Account[];
  json: BriefJson;
  /** The JSON as `sinew brief --json` writes it. */
  serialized: string;
  /** The local day, `YYYY-MM-DD`. */
  date: string;
  html: string;
  text: string;
  subject: string;
  /** The signed links rendered into the email; absent without a link issuer. */
  links?: BriefLinks & { unsubscribeUrl: string };
}

/**
 * Nothing to send: the person is gone, has briefs off, paused or unsubscribed (their own
 * settings, checked before anything is read), or has no briefed meeting that day (then
 * the brief's JSON, with no meetings, for whoever asked for it).
 */
export interface NoBrief {
  status: 'none';
  reason: NoBriefReason;
  json?: BriefJson;
  serialized?: string;
}

/**
 * Builds, and when there is something to send renders, one person's brief.
 *
 * @returns `{ status: 'ready', ... }` with the email, or `{ status: 'none', reason }`.
 * @throws InputError for a date that is not a day, and whatever the store or vault throws.
 */
export async function prepareBrief(store: Store, userId: string, opts: PrepareBriefOptions): Promise<PreparedBrief | NoBrief> {
  const person = await store.getUser(userId);
  if (!person) return { status: 'none', reason: 'no-user' };
  const stop = briefStop(person);
  if (stop) return { status: 'none', reason: stop };

  const built = await buildBrief(store, userId, {
    user: person,
    ...(opts.date ? { date: opts.date } : {}),
    ...(opts.asOf ? { asOf: opts.asOf } : {}),
    now: opts.now,
    settings: opts.settings,
    ...(opts.colleagues ? { colleagues: opts.colleagues } : {}),
  });
  if (built.brief.meetings.length === 0) {
    return { status: 'none', reason: 'no-meetings', json: built.brief, serialized: serializeBrief(built.brief) };
  }
  // Only the attendees' accounts are read from the team index (one Query each).
  const withTeam = opts.team && !opts.colleagues ? withColleagues(built.brief, await briefColleagues(store, userId, attendeesOf(built.brief))) : built.brief;
  // Only the attendees' notes are opened (in AWS each is one KMS Decrypt).
  const json = opts.vault ? withNotes(withTeam, await notesByContact({ store, vault: opts.vault }, userId, attendeesOf(withTeam))) : withTeam;
  const links = opts.linkIssuer ? briefLinksFor({ ...opts.linkIssuer, userId }) : undefined;
  const mailboxes: MailboxInput[] = built.accounts.map((a) => ({
    address: a.address,
    provider: a.provider,
    freshness: syncFreshness(a, opts.now),
    ...(a.skippedItems ? { skippedItems: a.skippedItems } : {}),
  }));
  const rendered = renderBrief(json, { ...(links ? { links } : {}), mailboxes });
  return {
    status: 'ready',
    user: built.user,
    accounts: built.accounts,
    json,
    serialized: serializeBrief(json),
    date: json.date,
    ...rendered,
    ...(links ? { links } : {}),
  };
}

/**
 * The email of a prepared brief: to the person's address, with RFC 8058 one-click
 * unsubscribe when links were issued, and one Message-ID per person and day.
 */
export function briefEmail(prepared: PreparedBrief, from: string): OutgoingEmail {
  const headers: Record<string, string> = {
    'Message-ID': stableMessageId(from, `brief:${prepared.user.userId}:${prepared.date}`),
  };
  if (prepared.links) {
    headers['List-Unsubscribe'] = `<${prepared.links.unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return { from, to: prepared.user.email, subject: prepared.subject, html: prepared.html, text: prepared.text, headers };
}

function attendeesOf(brief: BriefJson): string[] {
  return [...new Set(brief.meetings.flatMap((m) => m.attendees.map((a) => a.address)))];
}

function withColleagues(brief: BriefJson, lookup: ColleagueLookup): BriefJson {
  return {
    ...brief,
    meetings: brief.meetings.map((m) => ({ ...m, attendees: m.attendees.map((a) => ({ ...a, colleagues: lookup(a.address, a.domain) })) })),
  };
}

function withNotes(brief: BriefJson, notes: ReadonlyMap<string, readonly { id: string; at: string; text: string }[]>): BriefJson {
  if (notes.size === 0) return brief;
  return {
    ...brief,
    meetings: brief.meetings.map((m) => ({
      ...m,
      attendees: m.attendees.map((a) => ({ ...a, notes: newestFirst([...a.notes, ...(notes.get(a.address) ?? [])]) })),
    })),
  };
}
