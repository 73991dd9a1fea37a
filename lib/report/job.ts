import type { Account, Store, User } from '#lib/store/types.ts';
import type { ReportJson } from './types.ts';
import type { ReportLinks } from '#lib/links/report-links.ts';
import type { Settings } from '#lib/settings.ts';
import type { OutgoingEmail } from '#lib/mail/mailer.ts';
import type { ReportJob } from '#lib/queue/jobs.ts';
import { defaultSettings } from '#lib/settings.ts';
import { buildUserReport } from './build.ts';
import { serializeReport } from './json.ts';
import { renderReport } from './index.ts';
import { reconnectUrl, reportLinksFor } from '#lib/links/report-links.ts';
import { syncFreshness } from '#lib/sync/freshness.ts';
import type { AddCalendar, MailboxInput } from './model.ts';
import { ADD_CALENDAR_CLI } from './wording.ts';
import { stableMessageId } from '#lib/mail/compose.ts';
import { SendBusyError, sendOnce, type MailJobDeps } from '#lib/mail/send-once.ts';
import { localIsoWeek, previousIsoWeek } from '#lib/time/weeks.ts';
import { connectedProvider, type ConnectedProvider, type ConnectedProviderFacts } from '#lib/providers/registry.ts';
import type { TokenVault } from '#lib/connect/token-vault.ts';
import { newestNoteLines } from '#lib/notes/notes.ts';
import { notesLinks } from '#lib/links/notes-links.ts';
import { planActions } from './actions.ts';
import { teamLinksFor } from '#lib/links/team-links.ts';
import { markTeamTold } from '#lib/team/sharing.ts';
import { teamNoticeFor, type TeamNoticeState } from './team-notice.ts';

/**
 * One person's weekly report, from store to inbox (DESIGN section 5). The CLI and the
 * report worker share {@link prepareWeeklyReport} (build, store per week, render); the
 * worker adds {@link runReportJob}: exactly one email per user per week.
 */

export interface PreparedReport {
  user: User;
  json: ReportJson;
  /** The JSON as stored for the week. */
  serialized: string;
  week: string;
  html: string;
  text: string;
  subject: string;
  /** The signed links rendered into the email; absent when no link issuer was given. */
  links?: ReportLinks & { unsubscribeUrl: string };
  /** Whether the actions' notes were read (see {@link ActionNotes}). */
  notes: ActionNotes;
  /**
   * What the email said about the team view (team on only): `tell` when it told the person
   * what is shared for the first time (the job then records it: User.teamToldAt).
   */
  team?: TeamNoticeState;
}

/**
 * The newest notes beside the email's actions (DESIGN section 9): `off` without a vault,
 * `read` when they were (whether or not any contact has one), `failed` when the notes
 * could not be read or opened: the email goes out without them rather than not at all,
 * and the caller says so (the error carries no note text).
 */
export type ActionNotes = { state: 'off' | 'read' } | { state: 'failed'; error: unknown };

export interface PrepareOptions {
  asOf: Date;
  settings: Settings;
  /** ISO week to store the report under; default the week of `asOf` in the user's zone. */
  week?: string;
  /** Issues the email's signed links; none (a file on disk) without it. */
  linkIssuer?: { baseUrl: string; secret: Uint8Array; now: Date };
  /**
   * The present, for how current each mailbox is (a mailbox failing for over a day is
   * stale); default `asOf`.
   */
  now?: Date;
  /**
   * Where the person reads the email: `service` (the deployed report worker: a missing
   * calendar is added by reconnecting) or `cli` (the default: by `sinew connect` or
   * `sinew import --ics`).
   */
  surface?: 'service' | 'cli';
  /**
   * Opens the person's notes (lib/notes, sealed with this vault) so the newest note's first
   * line stands beside each action's contact; without it the email shows no notes.
   */
  vault?: TokenVault;
  /**
   * The deployment's team view is on (DESIGN section 10): a sharer's report publishes
   * their entries and shows colleagues; absent or false, nothing of the team is touched.
   */
  team?: boolean;
}

/**
 * Builds one user's report, stores it under its week (so next week's "change since last
 * week" is real: last week's stored report is read back here) and renders the email.
 */
export async function prepareWeeklyReport(store: Store, userId: string, opts: PrepareOptions): Promise<PreparedReport> {
  const { user, accounts, json } = await buildUserReport(store, userId, { asOf: opts.asOf, settings: opts.settings, ...(opts.team ? { team: true } : {}) });
  const week = opts.week ?? localIsoWeek(opts.asOf, user.timeZone);
  const serialized = serializeReport(json);
  const previousText = await store.getReport(userId, previousIsoWeek(week));
  const previous = previousText ? (JSON.parse(previousText) as ReportJson) : undefined;
  await store.putReport(userId, week, serialized);
  const broken = accounts.filter((a) => a.status === 'needs-reconnect');
  // Each action's contact gets a link to their notes page (DESIGN section 9), beside the answers to the flag.
  // The team view (DESIGN section 10): told once what is shared, then a line; a sharer's contacts can be kept private.
  const teamLinks = opts.team && opts.linkIssuer ? teamLinksFor({ ...opts.linkIssuer, userId }) : undefined;
  const team = opts.team ? teamNoticeFor(user, teamLinks) : undefined;
  const links = opts.linkIssuer
    ? {
        ...reportLinksFor({ ...opts.linkIssuer, userId, ...reconnectProviderOf(broken) }),
        notes: notesLinks({ ...opts.linkIssuer, userId }),
        ...(teamLinks && team?.state !== 'stopped' ? { keepPrivate: teamLinks.keepPrivate } : {}),
      }
    : undefined;
  const now = opts.now ?? opts.asOf;
  const mailboxes: MailboxInput[] = accounts.map((a) => ({ address: a.address, provider: a.provider, freshness: syncFreshness(a, now), ...(a.skippedItems ? { skippedItems: a.skippedItems } : {}) }));
  const addCalendar = json.calendar === 'missing' ? addCalendarFor(accounts, userId, opts) : undefined;
  const { notes, lines } = await actionNotes(store, userId, json, opts.vault);
  const rendered = await renderReport(json, {
    timeZone: user.timeZone,
    ...(previous ? { previous } : {}),
    ...(links ? { links } : {}),
    ...(broken.length > 0 ? { needsReconnect: broken.map((a) => a.address) } : {}),
    mailboxes,
    ...(addCalendar ? { addCalendar } : {}),
    ...(lines ? { notes: lines } : {}),
    ...(team ? { team } : {}),
  });
  return { user, json, serialized, week, ...rendered, ...(links ? { links } : {}), notes, ...(team ? { team: team.state } : {}) };
}

/**
 * The first line of the newest note on each contact the email's actions name: only
 * theirs are opened (in AWS one KMS Decrypt each), never the person's other notes.
 */
async function actionNotes(
  store: Store,
  userId: string,
  json: ReportJson,
  vault: TokenVault | undefined,
): Promise<{ notes: ActionNotes; lines?: Map<string, string> }> {
  if (!vault) return { notes: { state: 'off' } };
  const named = planActions(json).actions.flatMap((a) => a.contacts.map((c) => c.address));
  if (named.length === 0) return { notes: { state: 'read' } };
  try {
    return { notes: { state: 'read' }, lines: await newestNoteLines({ store, vault }, userId, named) };
  } catch (error) {
    return { notes: { state: 'failed', error } };
  }
}

/**
 * How this person adds the missing calendar: a connected mailbox whose grant left the
 * calendar out is reconnected granting it (in the service, by a signed link; locally, by
 * `sinew connect` again); an imported archive gets its calendar imported.
 */
function addCalendarFor(accounts: Account[], userId: string, opts: PrepareOptions): AddCalendar {
  const connected = firstConnected(accounts);
  if (!connected) return { hint: ADD_CALENDAR_CLI };
  const { account, provider } = connected;
  if (opts.surface === 'service') {
    const hint = `Reconnect ${account.address} and leave calendar access ticked when asked.`;
    return opts.linkIssuer
      ? { hint, link: reconnectUrl({ ...opts.linkIssuer, userId, provider: provider.id, accountId: account.accountId }) }
      : { hint };
  }
  const command = `sinew connect ${provider.cliName}`;
  return { hint: `To add one, run ${command} again and grant calendar access, or import it: sinew import --ics FILE.` };
}

function reconnectProviderOf(broken: Account[]): { reconnectProvider?: ConnectedProvider } {
  // One reconnect link fits the report's banner; the first mailbox that can be reconnected.
  const first = firstConnected(broken);
  return first ? { reconnectProvider: first.provider.id } : {};
}

/** The first account connected to a provider (not imported from files), with its provider. */
function firstConnected(accounts: readonly Account[]): { account: Account; provider: ConnectedProviderFacts } | undefined {
  for (const account of accounts) {
    const provider = connectedProvider(account.provider);
    if (provider) return { account, provider };
  }
  return undefined;
}

/**
 * The email of a prepared report: to the user's address, with RFC 8058 one-click
 * unsubscribe (`List-Unsubscribe` naming the signed unsubscribe link, and
 * `List-Unsubscribe-Post`). No `mailto:` unsubscribe: Sinew has no mailbox that reads one.
 */
export function reportEmail(prepared: PreparedReport, from: string): OutgoingEmail {
  const headers: Record<string, string> = {
    // The same id for the same user and week: a mail client that collapses duplicates by
    // Message-ID (over SMTP; SES sets its own) shows a rare double send once.
    'Message-ID': stableMessageId(from, `report:${prepared.user.userId}:${prepared.week}`),
  };
  if (prepared.links) {
    headers['List-Unsubscribe'] = `<${prepared.links.unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return { from, to: prepared.user.email, subject: prepared.subject, html: prepared.html, text: prepared.text, headers };
}

/** Another worker is sending this report right now: retry the job after its lease. */
export class ReportBusyError extends SendBusyError {
  override name = 'ReportBusyError';
}

export interface ReportJobDeps extends MailJobDeps {
  settings?: Settings;
  /** Opens the person's notes for the lines beside the actions (the KMS vault in AWS); none shown without it. */
  vault?: TokenVault;
  /** The deployment's team view is on (CDK context `team=on`; DESIGN section 10). */
  team?: boolean;
}

export type ReportJobResult =
  | { status: 'sent'; messageId: string; week: string; subject: string; recorded: boolean; notes: ActionNotes }
  | { status: 'skipped'; reason: 'no-user' | 'paused' | 'already-sent' };

const DEFAULT_LEASE_MS = 15 * 60_000;

/**
 * Runs one report job: exactly one email per user per week, under duplicate deliveries,
 * concurrent workers and crashes, by {@link sendOnce} (lib/mail/send-once.ts, which says
 * what can still send twice) on the key `report#<week>` in the person's partition.
 *
 * 1. Paused (or unsubscribed, or bounced) users and deleted users are skipped.
 * 2. The claim lets one attempt through: the others see it sent (skip) or busy (throw
 *    {@link ReportBusyError}, so the queue retries after the holder finished or its lease ran out).
 * 3. Build, store and render; send; record the send, then (team view) that the person was
 *    told what is shared. A failure of either write is reported as `recorded: false`.
 */
export async function runReportJob(job: ReportJob, deps: ReportJobDeps): Promise<ReportJobResult> {
  const user = await deps.store.getUser(job.userId);
  if (!user) return { status: 'skipped', reason: 'no-user' };
  if (user.reportsPaused) return { status: 'skipped', reason: 'paused' };

  const result = await sendOnce(
    {
      store: deps.store,
      mailer: deps.mailer,
      owner: deps.owner,
      now: deps.now,
      leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
      busy: () => new ReportBusyError(`the ${job.week} report of ${job.userId} is being sent by another worker; retry later`),
    },
    job.userId,
    `report#${job.week}`,
    async () => {
      const prepared = await prepareWeeklyReport(deps.store, job.userId, {
        asOf: new Date(job.asOf),
        week: job.week,
        settings: deps.settings ?? defaultSettings,
        linkIssuer: { baseUrl: deps.baseUrl, secret: deps.secret, now: deps.now() },
        now: deps.now(),
        surface: 'service',
        ...(deps.vault ? { vault: deps.vault } : {}),
        ...(deps.team ? { team: true } : {}),
      });
      return { email: reportEmail(prepared, deps.sender), composed: prepared };
    },
  );
  if (result.status === 'already-sent') return { status: 'skipped', reason: 'already-sent' };
  const { messageId, composed: prepared } = result;
  let { recorded } = result;
  // Told what the team view shares: later emails carry one line. After the send is recorded,
  // so a failed send tells again; a duplicate delivery is skipped by the claim.
  if (recorded && prepared.team === 'tell') {
    try {
      await markTeamTold(deps.store, job.userId, deps.now());
    } catch {
      recorded = false;
    }
  }
  return { status: 'sent', messageId, week: prepared.week, subject: prepared.subject, recorded, notes: prepared.notes };
}
