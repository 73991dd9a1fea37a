import { bareSubject, dateOf, overlap, rawMessages, wordsOf } from './raw-mbox.ts';

/**
 * An oracle for the real-data tests: which of the user's sent messages in an mbox archive
 * are one message, decided from the raw files without any code under test. Unlike the
 * product, which never reads bodies, it compares bodies: that is how a person would tell
 * that the Notes and Outlook copies of one Enron message, filed under different
 * Message-IDs with Dates 10 or 12 hours apart, are one message, and that two look-alike
 * messages three hours apart are two.
 *
 * Two copies are one message when all of these hold:
 * - the same recipients (To, Cc, Bcc; the user's addresses read as one);
 * - Dates at most 14 hours apart with the same minutes and seconds;
 * - the same subject once `Re:`/`Fw:` prefixes, case and whitespace are set aside, or
 *   (both non-empty) one a prefix of the other (Lotus Notes keeps only the first line of a folded one);
 * - bodies sharing at least 80% of their words (words of 3 or more letters or digits,
 *   after undoing quoted-printable): the exports wrap lines, render bullets and tabs
 *   differently, and Notes sometimes cuts a quoted thread short.
 * Copies are grouped transitively.
 */

/** One copy of a sent message, as the raw file has it. */
export interface SentCopy {
  file: string;
  /** Date, epoch ms. */
  at: number;
  /** To, Cc and Bcc, lower-cased, distinct, sorted. */
  recipients: string[];
  /** Subject without reply prefixes, lower-cased, whitespace folded. */
  subject: string;
  words: Set<string>;
}

const HOUR = 3_600_000;
const MAX_SHIFT = 14 * HOUR;
const MIN_BODY_OVERLAP = 0.8;

/** Every message `from` one of `me` in the mbox files, one entry per copy. */
export function sentCopies(files: readonly string[], me: readonly string[]): SentCopy[] {
  const copies: SentCopy[] = [];
  for (const file of files) {
    for (const { headers, body: text } of rawMessages(file)) {
      const from = addresses(headers.get('from'))[0];
      if (from === undefined || !me.includes(from)) continue;
      let body = text;
      if (/quoted-printable/i.test(headers.get('content-transfer-encoding') ?? '')) {
        body = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      }
      copies.push({
        file,
        at: dateOf(headers),
        recipients: [...new Set(['to', 'cc', 'bcc'].flatMap((h) => addresses(headers.get(h))))].sort(),
        subject: bareSubject(headers.get('subject')),
        words: wordsOf(body),
      });
    }
  }
  return copies;
}

/** Groups copies into messages by the rules above; each message lists its copies. */
export function distinctMessages(copies: readonly SentCopy[], me: readonly string[]): SentCopy[][] {
  const parent = copies.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const buckets = new Map<string, number[]>();
  copies.forEach((c, i) => {
    const key = `${c.recipients.map((a) => (me.includes(a) ? 'me' : a)).join(',')}|${((c.at % HOUR) + HOUR) % HOUR}`;
    buckets.set(key, [...(buckets.get(key) ?? []), i]);
  });
  for (const bucket of buckets.values()) {
    for (const i of bucket) {
      for (const j of bucket) {
        const a = copies[i]!;
        const b = copies[j]!;
        if (i < j && Math.abs(a.at - b.at) <= MAX_SHIFT && sameSubject(a.subject, b.subject) && overlap(a.words, b.words) >= MIN_BODY_OVERLAP) {
          parent[find(i)] = find(j);
        }
      }
    }
  }
  const groups = new Map<number, SentCopy[]>();
  copies.forEach((c, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), c]));
  return [...groups.values()];
}

/** What the extraction should count from the oracle's messages (DESIGN section 3). */
export interface SentExpectation {
  /** Messages in the held history with a contact and not broadcast. */
  messages: SentCopy[][];
  /**
   * Those of them whose copies carry different subjects (one export folded a notice
   * into the Subject): the product must still count each of them once.
   */
  subjectVariants: SentCopy[][];
  /** Sent interactions per contact the extraction should yield. */
  expectedByContact: Map<string, number>;
}

/**
 * The oracle's expectation as of `asOf`: a message counts when any copy lies in the 400
 * days before it, it has at most `maxRecipients` recipients, and one of them is not Me;
 * each such recipient gets one sent interaction per distinct subject of its copies.
 */
export function sentExpectation(messages: readonly SentCopy[][], me: readonly string[], asOf: Date, maxRecipients: number): SentExpectation {
  const to = asOf.getTime();
  const from = to - 400 * 24 * HOUR;
  const counted: SentCopy[][] = [];
  const subjectVariants: SentCopy[][] = [];
  const expectedByContact = new Map<string, number>();
  for (const message of messages) {
    if (!message.some((c) => c.at >= from && c.at < to)) continue;
    const recipients = message[0]!.recipients;
    const contacts = recipients.filter((a) => !me.includes(a));
    if (contacts.length === 0 || recipients.length > maxRecipients) continue;
    counted.push(message);
    if (new Set(message.map((c) => c.subject)).size > 1) subjectVariants.push(message);
    for (const c of contacts) expectedByContact.set(c, (expectedByContact.get(c) ?? 0) + 1);
  }
  return { messages: counted, subjectVariants, expectedByContact };
}

function addresses(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => (/<([^>]*)>/.exec(part)?.[1] ?? part).trim().replace(/^['"]+|['"]+$/g, '').toLowerCase())
    .filter((a) => a.includes('@'));
}

function sameSubject(a: string, b: string): boolean {
  return a === b || (a !== '' && b !== '' && (a.startsWith(b) || b.startsWith(a)));
}
