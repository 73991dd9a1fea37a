import { simpleParser } from 'mailparser';
import { headerLine } from './headers.ts';
import { describe, expect, it } from 'vitest';
import { composeEmail, composeMessage, senderDomain, stableMessageId } from '#lib/mail/compose.ts';
import type { OutgoingEmail } from '#lib/mail/mailer.ts';

const email: OutgoingEmail = {
  from: 'Sinew <reports@sinew.example.com>',
  to: 'jürgen@example.de',
  subject: 'Raj wrote on Tuesday — you have not replied',
  html: '<p>Raj wrote on <b>Tuesday</b>. Müller waits.</p>',
  text: 'Raj wrote on Tuesday. Müller waits.',
  headers: {
    'List-Unsubscribe': '<https://sinew.example.com/l/abc.def>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
};

describe('composeEmail', () => {
  it('builds multipart/alternative with both parts in UTF-8, the headers and a Message-ID on the sender domain', async () => {
    const raw = await composeEmail(email, { date: new Date('2026-11-23T07:00:00Z') });
    const parsed = await simpleParser(raw);
    expect(raw.toString('latin1')).toMatch(/Content-Type: multipart\/alternative/);
    expect(parsed.subject).toBe(email.subject);
    expect(parsed.text?.trim()).toBe(email.text);
    expect(parsed.html).toContain('Müller waits');
    expect(headerLine(parsed, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(raw.toString('latin1')).toMatch(/^List-Unsubscribe: <https:\/\/sinew\.example\.com\/l\/abc\.def>\r?$/m);
    expect(parsed.messageId).toMatch(/^<[0-9a-f-]{36}@sinew\.example\.com>$/);
    expect(parsed.date?.toISOString()).toBe('2026-11-23T07:00:00.000Z');
  });

  it('uses a Message-ID given among the headers, once', async () => {
    const id = stableMessageId(email.from, 'report:u1:2026-W48');
    const { raw, messageId } = await composeMessage({ ...email, headers: { ...email.headers, 'Message-ID': id } });
    expect(messageId).toBe(id);
    expect(raw.toString('latin1').match(/^Message-ID:/gim)).toHaveLength(1);
    expect((await simpleParser(raw)).messageId).toBe(id);
    expect(stableMessageId(email.from, 'report:u1:2026-W48')).toBe(id);
    expect(stableMessageId(email.from, 'report:u1:2026-W49')).not.toBe(id);
    expect(id).not.toContain('u1');
  });

  it('finds the sender domain with or without a display name', () => {
    expect(senderDomain('a@B.example.com')).toBe('b.example.com');
    expect(senderDomain('Sinew <r@sinew.example.com>')).toBe('sinew.example.com');
    expect(() => senderDomain('nobody')).toThrow(/sender must be an email address/);
  });
});
