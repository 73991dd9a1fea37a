import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeMessage } from '#lib/mail/compose.ts';
import { encodeHeader, quotedPrintable } from '#lib/mail/mime.ts';
import type { OutgoingEmail } from '#lib/mail/mailer.ts';

/** lib/mail/mime.ts, read back by mailparser (what a mail client does). */
const base: OutgoingEmail = {
  from: 'Sinew <reports@sinew.example.com>',
  to: 'ann@example.com',
  subject: 'plain',
  html: '<p>x</p>',
  text: 'x',
  headers: {},
};

describe('the MIME composer', () => {
  it('round-trips long UTF-8 subjects, names with specials or accents, and bodies of long, odd lines', async () => {
    const subject = `Müller, Zoë and 李 wrote — ${'you have not replied to them yet, '.repeat(4)}✓`;
    const text = [
      `${'é'.repeat(100)} = ${'x'.repeat(200)}`,
      'trailing space ',
      'trailing tab\t',
      '.leading dot',
      '',
      '=3D is not an escape here',
    ].join('\n');
    const html = `<p style="a:b">${'Ünïcödé '.repeat(40)}</p>`;
    const { raw } = await composeMessage({
      ...base, from: 'Sinew, Reports <reports@sinew.example.com>', to: 'Zoë Müller <zoe@example.de>', subject, text, html,
    });
    for (const line of raw.toString('utf8').split('\r\n')) expect(line.length, line).toBeLessThanOrEqual(78);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(subject);
    expect(parsed.text).toBe(text);
    expect(parsed.html).toBe(html);
    expect(parsed.from?.value).toEqual([{ address: 'reports@sinew.example.com', name: 'Sinew, Reports' }]);
    expect(!Array.isArray(parsed.to) && parsed.to?.value).toEqual([{ address: 'zoe@example.de', name: 'Zoë Müller' }]);
  });

  it('never lets a value start a header of its own', async () => {
    const { raw } = await composeMessage({ ...base, subject: 'hi\r\nBcc: evil@example.com', headers: { 'X-Note': 'a\nBcc: evil@example.com' } });
    expect(raw.toString('utf8')).not.toMatch(/^Bcc:/m);
    expect((await simpleParser(raw)).bcc).toBeUndefined();
  });

  it('encodes only what quoted-printable must, and folds at spaces', () => {
    expect(quotedPrintable('a=b \nc\té\t')).toBe('a=3Db=20\r\nc\t=C3=A9=09');
    expect(encodeHeader('List-Unsubscribe', '<https://sinew.example.com/l/abc.def>')).toBe('List-Unsubscribe: <https://sinew.example.com/l/abc.def>');
    const folded = encodeHeader('X-Words', 'word '.repeat(30).trim());
    expect(folded.split('\r\n ').length).toBeGreaterThan(1);
    expect(folded.replace(/\r\n /g, ' ')).toBe(`X-Words: ${'word '.repeat(30).trim()}`);
  });
});
