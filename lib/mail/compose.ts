import { createHash, randomUUID } from 'node:crypto';
import type { OutgoingEmail } from './mailer.ts';
import { InputError } from '#lib/errors.ts';
import { encodeHeader, formatDate, quotedPrintable } from './mime.ts';

/**
 * One outgoing email as RFC 5322 bytes: multipart/alternative (plain text first, then
 * HTML, so a client shows the richest part it can), UTF-8, the extra headers
 * (`List-Unsubscribe`, ...) and a Message-ID on the sender's domain. Both transports
 * send exactly these bytes, so what the SMTP sink receives in tests is what SES gets.
 * Composed here (lib/mail/mime.ts) rather than by nodemailer's composer, which is
 * about 135 KB of every Lambda bundle that sends mail, for the few rules one
 * multipart/alternative message needs.
 */
export interface ComposedEmail {
  raw: Buffer;
  /** The Message-ID header, `<...@sender.domain>`. */
  messageId: string;
}

export interface ComposeOptions {
  /** The Date header; default the composer's clock (a transport edge, not the domain). */
  date?: Date;
}

/** {@link composeMessage}, the bytes only. */
export async function composeEmail(email: OutgoingEmail, opts: ComposeOptions = {}): Promise<Buffer> {
  return (await composeMessage(email, opts)).raw;
}

/**
 * Composes the message. A `Message-ID` among `email.headers` is used as given (a caller
 * that may send the same email twice gives a deterministic one, so clients that collapse
 * duplicates by Message-ID show it once); otherwise a random one on the sender's domain.
 */
export async function composeMessage(email: OutgoingEmail, opts: ComposeOptions = {}): Promise<ComposedEmail> {
  const headers: Record<string, string> = {};
  let messageId: string | undefined;
  for (const [name, value] of Object.entries(email.headers)) {
    if (name.toLowerCase() === 'message-id') messageId = value;
    else headers[name] = value;
  }
  messageId ??= `<${randomUUID()}@${senderDomain(email.from)}>`;
  const boundary = `--_sinew_${randomUUID()}`;
  const lines = [
    `Content-Type: multipart/alternative;\r\n boundary="${boundary}"`,
    encodeHeader('From', email.from),
    encodeHeader('To', email.to),
    encodeHeader('Subject', email.subject),
    encodeHeader('Message-ID', messageId),
    `Date: ${formatDate(opts.date ?? new Date())}`,
    'MIME-Version: 1.0',
    ...Object.entries(headers).map(([name, value]) => encodeHeader(name, value)),
    '',
    ...part(boundary, 'text/plain', email.text),
    ...part(boundary, 'text/html', email.html),
    `--${boundary}--`,
    '',
  ];
  return { raw: Buffer.from(lines.join('\r\n'), 'utf8'), messageId };
}

/** One part of the multipart/alternative body: UTF-8, quoted-printable. */
function part(boundary: string, type: string, body: string): string[] {
  return [
    `--${boundary}`,
    `Content-Type: ${type}; charset=utf-8`,
    'Content-Transfer-Encoding: quoted-printable',
    '',
    quotedPrintable(body),
  ];
}

/**
 * A stable Message-ID for an email that must go out once (`key` such as the user and
 * week): hashed, so the header carries no id in clear.
 */
export function stableMessageId(from: string, key: string): string {
  const local = createHash('sha256').update(key).digest('base64url').slice(0, 32);
  return `<sinew.${local}@${senderDomain(from)}>`;
}

/** The domain of an address, plain (`a@b.c`) or with a display name (`Sinew <a@b.c>`). */
export function senderDomain(from: string): string {
  const match = /@([^\s@<>]+?)>?\s*$/.exec(from.trim());
  if (!match) throw new InputError(`the sender must be an email address such as sinew@example.com (got '${from}')`);
  return match[1]!.toLowerCase();
}
