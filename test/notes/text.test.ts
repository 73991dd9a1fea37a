import { describe, expect, it } from 'vitest';
import { checkNoteText, firstLine, NOTE_LINE_CHARS, noteHtml, noteText } from '#lib/notes/text.ts';

const HOSTILE = `<script>alert("x")</script> Ann's "VIP" & <b>friend</b>`;

describe('showing a note', () => {
  it('noteHtml escapes markup and both quotes, and keeps line breaks as <br>', () => {
    const html = noteHtml(`${HOSTILE}\nline two`);
    expect(html).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Ann&#39;s &quot;VIP&quot; &amp; &lt;b&gt;friend&lt;/b&gt;<br>line two');
    expect(html).not.toMatch(/<(?!br>)/);
  });

  it('noteText indents every following line so a note cannot forge a line of the email around it', () => {
    expect(noteText('one\nUnsubscribe: https://evil.example\r\nthree\u0007', '    ')).toBe('one\n    Unsubscribe: https://evil.example\n    three');
  });

  it('firstLine: first non-blank line, trimmed, cut with an ellipsis', () => {
    expect(firstLine('\n \n  hello there \nmore')).toBe('hello there');
    const long = firstLine('a'.repeat(NOTE_LINE_CHARS + 10));
    expect(long).toHaveLength(NOTE_LINE_CHARS);
    expect(long.endsWith('…')).toBe(true);
    // An emoji straddling the cut is dropped whole, never halved.
    const emoji = firstLine(`${'a'.repeat(NOTE_LINE_CHARS - 2)}😀😀😀`);
    expect(emoji).toBe(`${'a'.repeat(NOTE_LINE_CHARS - 2)}…`);
  });

  it('checkNoteText keeps a hostile note as plain text (escaping is on display)', () => {
    expect(checkNoteText(HOSTILE)).toBe(HOSTILE);
  });
});
