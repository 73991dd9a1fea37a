import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message the sink took: the SMTP envelope and the message parsed with mailparser. */
export interface Received {
  from: string;
  to: string[];
  mail: ParsedMail;
}

/**
 * A real SMTP sink on loopback for the tests that send with the CLI (`--send`, the local
 * connect page's notices): every message is parsed with mailparser and kept in `received`.
 * STARTTLS is off: the library's test certificate has expired.
 */
export async function startSmtpSink(): Promise<{ server: SMTPServer; port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.server.address() as AddressInfo).port, received };
}
