import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mailer, OutgoingEmail } from './mailer.ts';
import { composeMessage } from './compose.ts';
import { MailDeliveryError } from './errors.ts';

export interface SesMailerOptions {
  client: SESv2Client;
  /** The configuration set whose event destination reports bounces and complaints. */
  configurationSetName?: string;
  /** The Date header's clock (SES overwrites Date with its own acceptance time anyway). */
  clock?: () => Date;
}

/**
 * Sends with SES v2 (`SendEmail` with raw content), so the message is exactly what
 * {@link composeMessage} built, List-Unsubscribe headers included. SES replaces the
 * Message-ID header with its own; the id it answers is what bounce and complaint events
 * name, so that is the one returned.
 */
export class SesMailer implements Mailer {
  private readonly clock: () => Date;

  constructor(private readonly options: SesMailerOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const { raw } = await composeMessage(email, { date: this.clock() });
    try {
      const out = await this.options.client.send(
        new SendEmailCommand({
          FromEmailAddress: email.from,
          Destination: { ToAddresses: [email.to] },
          Content: { Raw: { Data: raw } },
          ...(this.options.configurationSetName ? { ConfigurationSetName: this.options.configurationSetName } : {}),
        }),
      );
      if (!out?.MessageId) throw new MailDeliveryError('SES accepted the message but returned no MessageId', false);
      return { messageId: out.MessageId };
    } catch (error) {
      throw sesFailure(error, email);
    }
  }
}

const THROTTLED = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'LimitExceededException']);
const TRANSIENT = new Set(['InternalServiceErrorException', 'ServiceUnavailable', 'RequestTimeout']);

/** Maps an SES v2 failure to a {@link MailDeliveryError} that says what to do. */
export function sesFailure(error: unknown, email: Pick<OutgoingEmail, 'from' | 'to'>): MailDeliveryError {
  if (error instanceof MailDeliveryError) return error;
  const e = error as { name?: string; message?: string; $retryable?: unknown };
  const name = e?.name ?? 'Error';
  const detail = e?.message ?? String(error);
  // No HTTP status: the request timed out or the connection dropped, maybe after SES took it.
  const answered = typeof (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 'number';
  if (!answered) {
    return new MailDeliveryError(`SES did not answer (${name}: ${detail}): the message may or may not have gone out`, true, { cause: error, outcome: 'unknown' });
  }
  if (THROTTLED.has(name) || (e?.$retryable as { throttling?: boolean } | undefined)?.throttling) {
    // SES words both limits as throttling: "Maximum sending rate exceeded" or "Daily message quota exceeded".
    if (name === 'LimitExceededException' || /daily|quota/i.test(detail)) {
      return new MailDeliveryError(`SES refused the send: the account's daily sending quota is used up (${name}: ${detail}); raise the quota`, true, { cause: error, throttled: 'daily-quota' });
    }
    return new MailDeliveryError(`SES throttled the send (${name}): retry later, or raise the account's sending rate`, true, { cause: error, throttled: 'rate' });
  }
  if (TRANSIENT.has(name) || e?.$retryable) {
    return new MailDeliveryError(`SES failed transiently (${name}: ${detail}): retry`, true, { cause: error });
  }
  if (name === 'MessageRejected' && /not verified/i.test(detail)) {
    return new MailDeliveryError(
      `SES refused to send to ${email.to}: the address is not verified and SES is in the sandbox, where only verified ` +
        `recipients receive mail; verify ${email.to} in SES or request production access (SES said: ${detail})`,
      false,
      { cause: error },
    );
  }
  if (name === 'MailFromDomainNotVerifiedException') {
    return new MailDeliveryError(`SES refused the sender ${email.from}: its MAIL FROM domain is not verified (${detail})`, false, { cause: error });
  }
  if (name === 'AccountSuspendedException' || name === 'SendingPausedException') {
    return new MailDeliveryError(`SES sending is paused for this account or configuration set (${name}): see the SES console (${detail})`, false, { cause: error });
  }
  return new MailDeliveryError(`SES refused the message to ${email.to} (${name}: ${detail})`, false, { cause: error });
}
