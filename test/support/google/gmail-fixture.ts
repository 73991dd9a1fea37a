/**
 * Seeded Gmail mailboxes with realistic threads, for tests and the benchmark. Thread
 * sizes follow the Enron corpus (Klimt and Yang, 2004; DESIGN 7): among threads of two or
 * more, 2: 16,736; 3: 4,782; 4: 3,049; 5: 1,282; 6-10: 2,552; over 10: 1,690 (mean 4.1,
 * median 2), plus singletons (newsletters, one-off notes). Mail spreads over 450 days so
 * the 400-day horizon matters.
 */
import { Random } from '#lib/random.ts';
import { GmailMailbox } from './gmail-mailbox.ts';
import type { GmailHeader } from './gmail-mailbox.ts';

/** Options of {@link buildMailbox}. */
export interface MailboxSpec {
  /** Messages to create (the last thread is cut to fit). */
  messages: number;
  seed: number;
  /** Newest possible message time, epoch ms. */
  asOf: number;
  /** @default 450 */
  days?: number;
  /** @default 'me@example.com' */
  me?: string;
  /** Share of threads that are singletons. @default 0.35 */
  singletonShare?: number;
}

const DAY = 86_400_000;
const SIZE_WEIGHTS: Array<[number, number]> = [
  [2, 16_736], [3, 4_782], [4, 3_049], [5, 1_282], [6, 2_552], [11, 1_690],
];
const TOTAL_WEIGHT = SIZE_WEIGHTS.reduce((n, [, w]) => n + w, 0);

/** Size of a thread of two or more, drawn from the Enron distribution. */
function threadSize(rnd: Random): number {
  let x = rnd.next() * TOTAL_WEIGHT;
  for (const [size, w] of SIZE_WEIGHTS) {
    if ((x -= w) >= 0) continue;
    if (size === 6) return rnd.int(6, 10);
    // Over 10: a long tail averaging about 21.6, so the mean of threads of 2+ is 4.1.
    if (size === 11) return Math.min(200, 11 + Math.round(-Math.log(1 - rnd.next()) * 10.6));
    return size;
  }
  return 2;
}

/** Builds a mailbox of `spec.messages` messages, the same for the same seed. */
export function buildMailbox(spec: MailboxSpec): GmailMailbox {
  const rnd = new Random(spec.seed);
  const me = spec.me ?? 'me@example.com';
  const alias = me.replace('@', '.alias@');
  const days = spec.days ?? 450;
  const singletonShare = spec.singletonShare ?? 0.35;
  const contacts = Array.from({ length: 60 }, (_, i) => ({ name: `Contact ${i}`, address: `c${i}@partner${i % 12}.example` }));
  type Draft = { at: number; threadKey: number; labelIds: string[]; headers: GmailHeader[] };
  const drafts: Draft[] = [];
  let made = 0;
  for (let t = 0; made < spec.messages; t++) {
    const start = spec.asOf - rnd.next() * days * DAY;
    if (rnd.chance(singletonShare)) {
      const bulk = rnd.chance(0.6);
      const from = bulk ? { name: `News ${t % 7}`, address: `news@list${t % 7}.example` } : rnd.pick(contacts);
      const headers: GmailHeader[] = [
        { name: 'From', value: `"${from.name}" <${from.address}>` },
        { name: 'To', value: me },
        { name: 'Subject', value: `Note ${t}` },
        { name: 'Message-ID', value: `<t${t}.0@${spec.seed}.example>` },
        { name: 'Date', value: new Date(start).toUTCString() },
      ];
      if (bulk) headers.push({ name: 'List-Unsubscribe', value: `<mailto:unsub@list${t % 7}.example>` }, { name: 'List-Id', value: `<list${t % 7}.example>` });
      const labelIds = bulk ? ['CATEGORY_PROMOTIONS', 'UNREAD'] : ['INBOX'];
      if (rnd.chance(0.1)) labelIds.push('TRASH');
      drafts.push({ at: Math.floor(start), threadKey: t, labelIds, headers });
      made++;
      continue;
    }
    const size = Math.min(threadSize(rnd), spec.messages - made);
    const other = rnd.pick(contacts);
    let at = start;
    let refs: string[] = [];
    for (let k = 0; k < size; k++) {
      if (at > spec.asOf) break;
      const mine = k % 2 === 1 ? rnd.chance(0.8) : rnd.chance(0.15);
      const fromMe = mine ? (rnd.chance(0.1) ? alias : me) : null;
      const messageId = `<t${t}.${k}@${spec.seed}.example>`;
      const headers: GmailHeader[] = [
        { name: 'From', value: fromMe ?? `"${other.name}" <${other.address}>` },
        { name: 'To', value: fromMe ? `"${other.name}" <${other.address}>` : `Me <${me}>` },
        { name: 'Subject', value: `${k > 0 ? 'Re: ' : ''}Topic ${t}` },
        { name: 'Message-ID', value: messageId },
        { name: 'Date', value: new Date(at).toUTCString() },
      ];
      if (rnd.chance(0.2)) headers.push({ name: 'Cc', value: rnd.pick(contacts).address });
      if (refs.length > 0) headers.push({ name: 'In-Reply-To', value: refs.at(-1)! }, { name: 'References', value: refs.join(' ') });
      const labelIds = fromMe ? ['SENT'] : ['INBOX', ...(rnd.chance(0.3) ? ['UNREAD'] : [])];
      if (rnd.chance(0.05)) labelIds.push('TRASH');
      drafts.push({ at: Math.floor(at), threadKey: t, labelIds, headers });
      refs = [...refs, messageId];
      made++;
      at += rnd.logNormal(6 * 3_600_000, 1.5);
    }
  }
  // Messages arrive in time order, so ids and history ids grow with time as in Gmail.
  drafts.sort((a, b) => a.at - b.at);
  const box = new GmailMailbox(me);
  const threadIds = new Map<number, string>();
  for (const d of drafts) {
    const msg = box.addMessage({ threadId: threadIds.get(d.threadKey), labelIds: d.labelIds, internalDate: d.at, headers: d.headers });
    threadIds.set(d.threadKey, msg.threadId);
  }
  return box;
}
