import { createTransport, type Transporter } from 'nodemailer';
import type { Mailer, OutgoingEmail } from './mailer.ts';
import { ConfigError } from '#lib/errors.ts';
import { composeMessage } from './compose.ts';
import { MailDeliveryError } from './errors.ts';

export interface SmtpMailerOptions {
  /** `smtp://[user:pass@]host:port` (STARTTLS when offered) or `smtps://` (TLS from the start). */
  url: string;
  /** The Date header's clock. */
  clock?: () => Date;
}

/** Connection failures worth a retry (4yz reply codes are retryable too, RFC 5321). */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS']);

/**
 * Sends over SMTP (local runs: `sinew report --send` with `SINEW_SMTP_URL`). The envelope
 * is the sender and the one recipient; the bytes are {@link composeMessage}'s.
 */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;
  private readonly clock: () => Date;

  constructor(options: SmtpMailerOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new ConfigError(`SINEW_SMTP_URL: expected an smtp:// or smtps:// URL (got '${options.url}')`);
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
      throw new ConfigError(`SINEW_SMTP_URL: expected an smtp:// or smtps:// URL (got '${url.protocol}')`);
    }
    this.transport = createTransport(options.url);
    this.clock = options.clock ?? (() => new Date());
  }

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const { raw, messageId } = await composeMessage(email, { date: this.clock() });
    try {
      await this.transport.sendMail({ envelope: { from: email.from, to: [email.to] }, raw });
    } catch (error) {
      const e = error as { code?: string; responseCode?: number; message?: string };
      const retryable = (e.responseCode !== undefined && e.responseCode >= 400 && e.responseCode < 500) || TRANSIENT_CODES.has(e.code ?? '');
      // A reply code is a refusal; a broken connection may have come after the data was taken.
      const outcome = e.responseCode !== undefined ? 'refused' : 'unknown';
      throw new MailDeliveryError(`the SMTP server did not take the message to ${email.to}: ${e.message ?? String(error)}`, retryable, { cause: error, outcome });
    }
    return { messageId };
  }

  /** Closes the transport's connections. */
  close(): void {
    this.transport.close();
  }
}
