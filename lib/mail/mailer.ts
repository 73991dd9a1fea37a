/**
 * Sending mail, provider-neutral: SES v2 in AWS, SMTP locally (DESIGN section 1). The
 * report worker, the reconnect notice and `sinew report --send` all go through this.
 */
export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers, e.g. `List-Unsubscribe`, `List-Unsubscribe-Post`. */
  headers: Record<string, string>;
}

export interface Mailer {
  /** Sends one message; resolves with the transport's message id. */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}
