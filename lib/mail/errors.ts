import { SinewError } from '#lib/errors.ts';

/**
 * A transport (SES, SMTP) did not take a message. `retryable` says whether the same send
 * may succeed later (throttling, a dropped connection) or never will as things stand (an
 * unverified address in the SES sandbox, a rejected message): the worker retries the
 * first and reports the second. `outcome` says whether the transport answered with a
 * refusal (`refused`: nothing went out) or the exchange broke off so that the message may
 * have been accepted (`unknown`: a timeout or a dropped connection after the data was sent).
 */
export class MailDeliveryError extends SinewError {
  override name = 'MailDeliveryError';
  readonly outcome: 'refused' | 'unknown';
  /**
   * Set when the transport refused for a sending limit: `rate` (too many a second: the
   * same send succeeds a moment later) or `daily-quota` (the account's messages per 24
   * hours: nothing goes out before the window moves on, so waiting seconds is no use).
   */
  readonly throttled?: 'rate' | 'daily-quota';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; outcome?: 'refused' | 'unknown'; throttled?: 'rate' | 'daily-quota' },
  ) {
    super(message, options);
    this.outcome = options?.outcome ?? 'refused';
    if (options?.throttled) this.throttled = options.throttled;
  }
}
