import type { TokenVault } from '#lib/connect/token-vault.ts';
import { sendOnce, type MailJobDeps } from '#lib/mail/send-once.ts';
import { briefSendKey, type BriefJob } from '#lib/queue/jobs.ts';
import { defaultSettings, type Settings } from '#lib/settings.ts';
import type { ColleagueLookup } from './compute.ts';
import { briefStop } from './dispatch.ts';
import { briefEmail, prepareBrief, type NoBrief, type NoBriefReason, type PreparedBrief } from './job.ts';

export { SendBusyError as BriefBusyError } from '#lib/mail/send-once.ts';

/**
 * The brief worker's job (DESIGN section 9, Delivery): one brief email per person per
 * local day, however often its job is delivered, by the weekly report's claim pattern
 * (lib/mail/send-once.ts) on the key `brief#<date>` in the person's partition.
 */

export interface BriefJobDeps extends MailJobDeps {
  /** Opens the person's notes on the attendees (KMS in AWS, under each note's own context). */
  vault: TokenVault;
  settings?: Settings;
  /** Colleagues who know an attendee (team view on); none by default. */
  colleagues?: ColleagueLookup;
  /** The deployment's team view is on: colleagues from the team index (see `prepareBrief`). */
  team?: boolean;
}

type BriefJobResult =
  | { status: 'sent'; messageId: string; date: string; subject: string; meetings: number; recorded: boolean }
  | { status: 'skipped'; reason: NoBriefReason | 'already-sent' };

const DEFAULT_LEASE_MS = 15 * 60_000;

/**
 * Runs one brief job.
 *
 * 1. A person who is gone, has briefs off, paused or unsubscribed gets nothing: their
 *    settings are read again at send time, not trusted from the dispatch.
 * 2. The claim on `brief#<date>` lets one attempt through; the others see it sent (skip)
 *    or busy ({@link BriefBusyError}: the queue retries after the holder's lease).
 * 3. Build as of `job.asOf` with the person's notes and signed links, render, send with
 *    `List-Unsubscribe` (RFC 8058 one-click), record. A day whose meetings were all
 *    cancelled since the dispatch sends nothing and gives the claim back.
 */
export async function runBriefJob(job: BriefJob, deps: BriefJobDeps): Promise<BriefJobResult> {
  const user = await deps.store.getUser(job.userId);
  if (!user) return { status: 'skipped', reason: 'no-user' };
  const stop = briefStop(user);
  if (stop) return { status: 'skipped', reason: stop };

  const result = await sendOnce<PreparedBrief | NoBrief>(
    { store: deps.store, mailer: deps.mailer, owner: deps.owner, now: deps.now, leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS },
    job.userId,
    briefSendKey(job),
    async () => {
      const now = deps.now();
      const prepared = await prepareBrief(deps.store, job.userId, {
        date: job.date,
        asOf: new Date(job.asOf),
        now,
        settings: deps.settings ?? defaultSettings,
        vault: deps.vault,
        linkIssuer: { baseUrl: deps.baseUrl, secret: deps.secret, now },
        ...(deps.colleagues ? { colleagues: deps.colleagues } : {}),
        ...(deps.team ? { team: true } : {}),
      });
      return prepared.status === 'ready'
        ? { email: briefEmail(prepared, deps.sender), composed: prepared }
        : { email: undefined, composed: prepared };
    },
  );
  if (result.status === 'already-sent') return { status: 'skipped', reason: 'already-sent' };
  const { composed } = result;
  if (result.status === 'nothing' || composed.status === 'none') {
    return { status: 'skipped', reason: composed.status === 'none' ? composed.reason : 'no-meetings' };
  }
  return {
    status: 'sent',
    messageId: result.messageId,
    date: composed.date,
    subject: composed.subject,
    meetings: composed.json.meetings.length,
    recorded: result.recorded,
  };
}
