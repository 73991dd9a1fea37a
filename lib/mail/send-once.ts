import { SinewError } from '#lib/errors.ts';
import type { Store } from '#lib/store/types.ts';
import { MailDeliveryError } from './errors.ts';
import type { Mailer, OutgoingEmail } from './mailer.ts';

/**
 * One email per key, however often its job is delivered (the weekly report's
 * `runReportJob`, lib/report/job.ts, the meeting brief's `runBriefJob`, lib/brief/send.ts,
 * and whatever sends once next): a conditional claim in the person's partition lets one
 * attempt through, the email is composed and sent, and the send is recorded, so every
 * later claim answers `sent`. A failure before the send, or a transport's refusal, gives
 * the claim back, so a retry need not wait for the lease; after a timeout the message may
 * be on its way, so the lease holds retries off as long as it can.
 *
 * What can still send twice: the worker dies after the transport accepted the message and
 * before the one DynamoDB write of `markSent` lands, and the job is delivered again after
 * the lease ran out. A `markSent` failure is reported as `recorded: false`, not thrown, so
 * it triggers no retry.
 */

/** Another worker holds the claim right now: retry the job after its lease. */
export class SendBusyError extends SinewError {
  override name = 'SendBusyError';
}

/**
 * What a job that mails one person once (the weekly report, the brief) needs, whichever
 * email it is: the store, the mailer, the From address, the links' base and key, and its
 * claim's owner, clock and lease (see {@link sendOnce}).
 */
export interface MailJobDeps {
  store: Store;
  mailer: Mailer;
  /** The From address (an SES-verified identity in AWS). */
  sender: string;
  baseUrl: string;
  secret: Uint8Array;
  /** Who holds the claim: unique per attempt (e.g. the Lambda request id and message id). */
  owner: string;
  /** The clock for claims and link expiry; the email's figures have their own instant. */
  now: () => Date;
  /**
   * How long the claim keeps other workers off: at least the longest this attempt can
   * still run (a Lambda's remaining time), so a live worker is never overtaken.
   * @default 15 minutes, the Lambda maximum
   */
  leaseMs?: number;
}

export interface SendOnceDeps {
  store: Pick<Store, 'claimSend' | 'markSent' | 'releaseSend'>;
  mailer: Mailer;
  /** Who holds the claim: unique per attempt (e.g. the Lambda request id and message id). */
  owner: string;
  now: () => Date;
  /**
   * How long the claim keeps other workers off: at least the longest this attempt can
   * still run (a Lambda's remaining time), so a live worker is never overtaken.
   */
  leaseMs: number;
  /** The error thrown while another attempt holds the claim; default a {@link SendBusyError} naming the key. */
  busy?: () => SendBusyError;
}

export type SendOnceSent<S> = { status: 'sent'; messageId: string; recorded: boolean; composed: S };

export type SendOnceResult<S> = SendOnceSent<S> | { status: 'already-sent' } | { status: 'nothing'; composed: S };

type Compose<S, E extends OutgoingEmail | undefined> = () => Promise<{ email: E; composed: S }>;

/**
 * Sends the email `compose` gives, once per `userId` and `key`. `compose` runs only under
 * the claim; it returns the email and what the caller wants back, or `email: undefined`
 * when there turned out to be nothing to send (the claim is given back).
 *
 * A `compose` that always gives an email never answers `nothing`.
 *
 * @throws SendBusyError (or `deps.busy`'s) while another attempt holds the claim; whatever `compose` or the mailer throws.
 */
export async function sendOnce<S>(deps: SendOnceDeps, userId: string, key: string, compose: Compose<S, OutgoingEmail>): Promise<SendOnceSent<S> | { status: 'already-sent' }>;
export async function sendOnce<S>(deps: SendOnceDeps, userId: string, key: string, compose: Compose<S, OutgoingEmail | undefined>): Promise<SendOnceResult<S>>;
export async function sendOnce<S>(
  deps: SendOnceDeps,
  userId: string,
  key: string,
  compose: Compose<S, OutgoingEmail | undefined>,
): Promise<SendOnceResult<S>> {
  const claim = await deps.store.claimSend(userId, key, deps.owner, deps.now(), deps.leaseMs);
  if (claim === 'sent') return { status: 'already-sent' };
  if (claim === 'busy') throw deps.busy?.() ?? new SendBusyError(`${key} of ${userId} is being sent by another worker; retry later`);

  const release = (): Promise<void> => deps.store.releaseSend(userId, key, deps.owner).catch(() => undefined);
  let email: OutgoingEmail | undefined;
  let composed: S;
  try {
    ({ email, composed } = await compose());
  } catch (error) {
    await release();
    throw error;
  }
  if (!email) {
    await release();
    return { status: 'nothing', composed };
  }
  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send(email));
  } catch (error) {
    if (error instanceof MailDeliveryError && error.outcome === 'refused') await release();
    throw error;
  }
  let recorded = true;
  try {
    await deps.store.markSent(userId, key, messageId, deps.now());
  } catch {
    recorded = false;
  }
  return { status: 'sent', messageId, recorded, composed };
}
