import { describe, expect, it } from 'vitest';
import { errorFields, redactMessage } from '#functions/shared/redact.ts';

describe('redactMessage', () => {
  it.each([
    ['failed the check in region EU-WEST-1: ann.lee+x@acme.co.uk', 'failed the check in region EU-WEST-1: <redacted>@acme.co.uk'],
    ['SES refused the message to "Ann" <ann@acme.com> (MessageRejected)', 'SES refused the message to "Ann" <<redacted>@acme.com> (MessageRejected)'],
    ['to a@b.test, c@d.test; e@f.test', 'to <redacted>@b.test, <redacted>@d.test; <redacted>@f.test'],
    [`token ${'a1B2'.repeat(12)} expired`, 'token <redacted> expired'],
    ['no address here: 3 items @ 5 ms', 'no address here: 3 items @ 5 ms'],
  ])('%s', (message, redacted) => {
    expect(redactMessage(message)).toBe(redacted);
  });

  it('gives a failure\'s class and redacted message as log fields', () => {
    expect(errorFields(Object.assign(new Error('bounced: bob@example.org'), { name: 'MailDeliveryError' }))).toEqual({ errorName: 'MailDeliveryError', error: 'bounced: <redacted>@example.org' });
    expect(errorFields('plain bob@example.org')).toEqual({ errorName: 'Error', error: 'plain <redacted>@example.org' });
  });
});
