import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SesMailer } from '#lib/mail/ses-mailer.ts';
import type { Mailer } from '#lib/mail/mailer.ts';
import { sendReconnectNotice } from '#lib/mail/reconnect-notice.ts';
import { required } from './env.ts';
import { perRuntime, type Runtime } from './runtime.ts';

/**
 * The SES mailer of the functions that send (the report worker, the reconnect notice of the
 * sync worker, the join notices of connect), with the stack's configuration set: built once
 * per runtime (per cold start); tests mock the SES client.
 */
export const sesMailer = perRuntime(
  ({ env }): Mailer =>
    new SesMailer({
      client: new SESv2Client({}),
      ...(env.SINEW_SES_CONFIGURATION_SET ? { configurationSetName: env.SINEW_SES_CONFIGURATION_SET } : {}),
    }),
);

/** The join notices' mailer and sender, or undefined when the stack gave no sender. */
export function joinMail(runtime: Runtime): { mailer: Mailer; sender: string } | undefined {
  const sender = runtime.env.SINEW_SENDER;
  return sender ? { mailer: sesMailer(runtime), sender } : undefined;
}

/** Tells an account's owner it must be reconnected (the reconnect email). */
export type ReconnectNotifier = (runtime: Runtime, userId: string, accountId: string, now: () => Date) => Promise<unknown>;

/**
 * The reconnect email through SES (lib/mail/reconnect-notice.ts), which itself sends at
 * most one per transition.
 */
export const sesReconnectNotice: ReconnectNotifier = async (runtime, userId, accountId, now) => {
  const { env } = runtime;
  return sendReconnectNotice(
    { store: runtime.store, mailer: sesMailer(runtime), sender: required(env, 'SINEW_SENDER'), baseUrl: required(env, 'SINEW_BASE_URL'), secret: await runtime.linkSecret(), now },
    userId,
    accountId,
  );
};
