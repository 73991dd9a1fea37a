import { bareSubject, dateOf, overlap, rawMessages, wordsOf } from './raw-mbox.ts';

/**
 * An oracle for the real-data tests, the received side of ./sent-oracle.ts: which messages
 * of an mbox archive the user received, and which of them are one message, decided from the
 * raw files by DESIGN section 3's rules for inbound mail, without any code under test.
 *
 * Inbound: From is an address that is not Me. Everything in the mailbox counts (the
 * archive is the mailbox: Me in To or Cc, or Bcc), unless
 * - automated: a `List-Id` or `List-Unsubscribe` header, `Precedence: bulk|list|junk`,
 *   `Auto-Submitted` present and not `no`, or a machine's sender local part (`noreply`,
 *   `notifications`, `mailer-daemon`, ... once `+tag`, `.`, `-`, `_` are set aside;
 *   anything starting `noreply` or `donotreply`);
 * - broadcast: more than `maxRecipients` distinct addresses in To and Cc.
 * One interaction with the sender per message.
 *
 * Copies are one message when (transitively):
 * - they carry the same Message-ID; or
 * - they carry the same Date to the second, sender, recipients (Me read as one) and
 *   subject (without `Re:`/`Fw:` prefixes, case and whitespace folded); or
 * - shifted exports (Enron's Lotus Notes and Outlook copies of one message): two such
 *   groups with the same sender, recipients and subject (one subject may carry a folded
 *   notice after its first line: first lines compared), Dates 1 to 14 whole hours apart to
 *   the second, no folder (`X-Folder`) holding a copy of both, and each the other's only
 *   such partner.
 * The shifted pairing is written here from the rule's words, pair by pair, and every
 * pair it makes is also checked against the bodies (see {@link ReceivedOracle.shiftedPairs}):
 * a person would call them one message when their words mostly agree.
 */

/** One copy of a received message, as the raw file has it. */
export interface ReceivedCopy {
  file: string;
  folder: string;
  messageId: string | null;
  /** Date, epoch ms. */
  at: number;
  from: string;
  /** To and Cc, lower-cased, distinct (for the broadcast rule). */
  toCc: string[];
  /** To, Cc and Bcc with Me read as `me`, distinct, sorted (for the copy rules). */
  recipients: string[];
  /** Subject without reply prefixes, lower-cased, whitespace folded. */
  subject: string;
  /** The same of the Subject header's first physical line. */
  subjectHead: string;
  automated: boolean;
  words: Set<string>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_SHIFT_HOURS = 14;
const MACHINE_LOCAL_PARTS = new Set(['noreply', 'donotreply', 'notifications', 'notification', 'mailerdaemon', 'postmaster', 'bounce', 'bounces']);

/** Every message whose From is an address not among `me`, one entry per copy. */
export function receivedCopies(files: readonly string[], me: readonly string[]): ReceivedCopy[] {
  const copies: ReceivedCopy[] = [];
  for (const file of files) {
    for (const { headers, block, body } of rawMessages(file)) {
      let subjectHead = '';
      const subjectLine = /^subject:(.*)$/im.exec(block);
      if (subjectLine) subjectHead = bareSubject(subjectLine[1]);
      const from = addressesIn(headers.get('from'))[0];
      if (from === undefined || me.includes(from)) continue;
      const to = addressesIn(headers.get('to'));
      const cc = addressesIn(headers.get('cc'));
      const bcc = addressesIn(headers.get('bcc'));
      const local = from.slice(0, from.lastIndexOf('@')).split('+')[0]!.replace(/[.\-_]/g, '');
      const precedence = (headers.get('precedence') ?? '').trim().toLowerCase().split(/\s/)[0];
      const autoSubmitted = headers.get('auto-submitted')?.trim().toLowerCase().split(/\s/)[0];
      const idMatch = /<([^>]+)>/.exec(headers.get('message-id') ?? '');
      copies.push({
        file,
        folder: headers.get('x-folder') ?? '',
        messageId: idMatch ? idMatch[1]!.toLowerCase() : null,
        at: dateOf(headers),
        from,
        toCc: [...new Set([...to, ...cc])],
        recipients: [...new Set([...to, ...cc, ...bcc].map((a) => (me.includes(a) ? 'me' : a)))].sort(),
        subject: bareSubject(headers.get('subject')),
        subjectHead,
        automated:
          headers.has('list-id') || headers.has('list-unsubscribe') ||
          precedence === 'bulk' || precedence === 'list' || precedence === 'junk' ||
          (autoSubmitted !== undefined && autoSubmitted !== 'no') ||
          MACHINE_LOCAL_PARTS.has(local) || local.startsWith('noreply') || local.startsWith('donotreply'),
        words: wordsOf(body),
      });
    }
  }
  return copies;
}

/** What {@link receivedExpectation} found. */
export interface ReceivedOracle {
  /** The distinct messages (each lists its copies). */
  messages: ReceivedCopy[][];
  /**
   * The shifted pairs joined, as [earlier group, later group], with the Jaccard overlap of
   * the two copies' bodies that agree most (1 when two copies say the same words).
   */
  shiftedPairs: { a: ReceivedCopy[]; b: ReceivedCopy[]; hours: number; bodyOverlap: number }[];
  /** Received interactions per contact the extraction should yield as of `asOf`. */
  expectedByContact: Map<string, number>;
  /** The same count with the shifted pairs left as two messages: what a sent-only rule yields. */
  withoutShiftRule: Map<string, number>;
}

/**
 * The oracle's expectation as of `asOf`: a message counts when one of its copies lies in
 * the 400 days before `asOf` and it is neither automated nor a broadcast.
 */
export function receivedExpectation(copies: readonly ReceivedCopy[], asOf: Date, maxRecipients: number): ReceivedOracle {
  const to = asOf.getTime();
  const from = to - 400 * DAY;
  const held = copies.filter((c) => c.at >= from && c.at < to);
  const parent = held.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const union = (i: number, j: number): void => {
    const a = find(i);
    const b = find(j);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  };
  const byKey = new Map<string, number>();
  const link = (key: string, i: number): void => {
    const j = byKey.get(key);
    if (j === undefined) byKey.set(key, i);
    else union(i, j);
  };
  held.forEach((c, i) => {
    if (c.messageId) link(`id ${c.messageId}`, i);
    link(`fp ${Math.floor(c.at / 1000)}|${c.from}|${c.recipients.join(',')}|${c.subject}`, i);
  });
  const exact = (): Map<number, number[]> => {
    const groups = new Map<number, number[]>();
    held.forEach((_, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), i]));
    return groups;
  };
  const before = exact();

  // Shifted pairs, judged on the exact groups as they stand, then joined. Candidates
  // share sender, recipients and the time's offset within the hour (so they differ by
  // whole hours); each pair of such copies is then judged by the rule's words.
  const partners = new Map<number, Set<number>>();
  const foldersOf = (r: number): Set<string> => new Set(before.get(r)!.map((i) => held[i]!.folder));
  const buckets = new Map<string, number[]>();
  held.forEach((c, i) => {
    const key = `${c.from}|${c.recipients.join(',')}|${((c.at % HOUR) + HOUR) % HOUR}`;
    buckets.set(key, [...(buckets.get(key) ?? []), i]);
  });
  for (const bucket of buckets.values()) {
    for (const i of bucket) {
      for (const j of bucket) {
        const a = held[i]!;
        const b = held[j]!;
        const hours = (b.at - a.at) / HOUR;
        const ra = find(i);
        const rb = find(j);
        if (ra === rb || !(hours >= 1 && hours <= MAX_SHIFT_HOURS)) continue;
        if (a.folder === '' || b.folder === '' || (a.subject !== b.subject && a.subjectHead !== b.subjectHead)) continue;
        const fa = foldersOf(ra);
        if ([...foldersOf(rb)].some((f) => fa.has(f))) continue;
        partners.set(ra, (partners.get(ra) ?? new Set()).add(rb));
        partners.set(rb, (partners.get(rb) ?? new Set()).add(ra));
      }
    }
  }
  const shiftedPairs: ReceivedOracle['shiftedPairs'] = [];
  for (const [ra, set] of partners) {
    const rb = [...set][0]!;
    if (set.size !== 1 || ra > rb || partners.get(rb)!.size !== 1) continue;
    const a = before.get(ra)!.map((i) => held[i]!);
    const b = before.get(rb)!.map((i) => held[i]!);
    const [early, late] = a[0]!.at <= b[0]!.at ? [a, b] : [b, a];
    let bodyOverlap = 0;
    for (const x of a) for (const y of b) bodyOverlap = Math.max(bodyOverlap, overlap(x.words, y.words));
    shiftedPairs.push({ a: early, b: late, hours: Math.abs(late[0]!.at - early[0]!.at) / HOUR, bodyOverlap });
    union(ra, rb);
  }

  const count = (groups: Map<number, number[]>): { messages: ReceivedCopy[][]; byContact: Map<string, number> } => {
    const messages: ReceivedCopy[][] = [];
    const byContact = new Map<string, number>();
    for (const members of groups.values()) {
      const message = members.map((i) => held[i]!);
      const first = message[0]!;
      if (first.automated || first.toCc.length > maxRecipients) continue;
      messages.push(message);
      byContact.set(first.from, (byContact.get(first.from) ?? 0) + 1);
    }
    return { messages, byContact };
  };
  const after = count(exact());
  return { messages: after.messages, shiftedPairs, expectedByContact: after.byContact, withoutShiftRule: count(before).byContact };
}

/** Addresses in a header value, lower-cased, without display names or quotes. */
function addressesIn(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => (/<([^>]*)>/.exec(part)?.[1] ?? part).trim().replace(/^['"]+|['"]+$/g, '').toLowerCase())
    .filter((a) => /^[^@\s]+@[^@\s]+$/.test(a));
}
