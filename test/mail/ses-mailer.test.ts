import { MessageRejected, SESv2Client, SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { simpleParser } from 'mailparser';
import { headerLine } from './headers.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { MailDeliveryError } from '#lib/mail/errors.ts';
import { SesMailer } from '#lib/mail/ses-mailer.ts';
import type { OutgoingEmail } from '#lib/mail/mailer.ts';

const ses = mockClient(SESv2Client);
afterEach(() => ses.reset());

const email: OutgoingEmail = {
  from: 'reports@sinew.example.com',
  to: 'ann@acme.com',
  subject: 'Your week',
  html: '<p>hi</p>',
  text: 'hi',
  headers: { 'List-Unsubscribe': '<https://sinew.example.com/l/t.s>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
};
const meta = { $metadata: { httpStatusCode: 400 } };

describe('SesMailer', () => {
  it('sends the composed raw MIME with the configuration set and returns SES\'s id', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-0001' });
    const mailer = new SesMailer({ client: new SESv2Client({ region: 'eu-west-1' }), configurationSetName: 'sinew' });
    expect(await mailer.send(email)).toEqual({ messageId: 'ses-0001' });
    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input.ConfigurationSetName).toBe('sinew');
    expect(input.Destination?.ToAddresses).toEqual(['ann@acme.com']);
    expect(input.FromEmailAddress).toBe('reports@sinew.example.com');
    const parsed = await simpleParser(Buffer.from(input.Content!.Raw!.Data!));
    expect(parsed.text?.trim()).toBe('hi');
    expect(parsed.html).toContain('<p>hi</p>');
    expect(headerLine(parsed, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
  });

  it('maps throttling to a retryable refusal', async () => {
    ses.on(SendEmailCommand).rejects(new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', ...meta }));
    const err = await new SesMailer({ client: new SESv2Client({ region: 'eu-west-1' }) }).send(email).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailDeliveryError);
    expect(err).toMatchObject({ retryable: true, outcome: 'refused' });
    expect((err as Error).message).toMatch(/throttled/);
    expect(err).toMatchObject({ throttled: 'rate' });
  });

  it('tells a used-up daily quota from the sending rate (SES words both as throttling)', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Daily message quota exceeded.'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const err = await new SesMailer({ client: new SESv2Client({ region: 'eu-west-1' }) }).send(email).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailDeliveryError);
    expect(err).toMatchObject({ throttled: 'daily-quota', outcome: 'refused' });
    expect((err as Error).message).toMatch(/daily sending quota/);
  });

  it('says the sandbox refused an unverified recipient, naming the address', async () => {
    ses.on(SendEmailCommand).rejects(
      new MessageRejected({
        message: 'Email address is not verified. The following identities failed the check in region EU-WEST-1: ann@acme.com',
        ...meta,
      }),
    );
    const err = (await new SesMailer({ client: new SESv2Client({ region: 'eu-west-1' }) }).send(email).catch((e: unknown) => e)) as MailDeliveryError;
    expect(err).toBeInstanceOf(MailDeliveryError);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/ann@acme\.com/);
    expect(err.message).toMatch(/sandbox/);
    expect(err.message).toMatch(/production access/);
  });

  it('treats a send that got no answer as possibly delivered', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    const err = (await new SesMailer({ client: new SESv2Client({ region: 'eu-west-1' }) }).send(email).catch((e: unknown) => e)) as MailDeliveryError;
    expect(err).toMatchObject({ retryable: true, outcome: 'unknown' });
  });
});
