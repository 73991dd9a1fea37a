import { FormatError } from '#lib/errors.ts';
import { messageIdsIn, normalizeMessageId, shortHash, subjectHash } from '#lib/items/normalize.ts';
import type { MailItem } from '#lib/items/types.ts';
import { decodeWords, parseAddressList, repairEncoding } from './address-list.ts';
import { DamagedInputError, inspectInput, openInput } from './input.ts';
import { parseMailDate } from './mail-date.ts';
import { mboxFolderLabel } from '#lib/items/folders.ts';
import { MboxSplitter, type MboxBounds, type MboxMessage, type MboxPart } from './mbox-splitter.ts';
import { MB, type OnSkip } from './skips.ts';
import { takeoutLabels } from './takeout-labels.ts';

export type { MboxMessage } from './mbox-splitter.ts';

/** Options of {@link readMbox}. */
export interface MboxOptions {
  /** The archive's account id, stamped on every item. */
  accountId: string;
  /** Called after each message with the bytes of the file read so far and its size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Called for each message left out (and for a file cut short), with the reason; names no address. */
  onSkip?: OnSkip;
  /** Bounds on one message's header line and headers. @default 1 MB and 8 MB */
  bounds?: Partial<MboxBounds>;
}

/**
 * No real header line comes near 1 MB (RFC 5322 says 998 bytes); headers of 8 MB hold a
 * list of some 200,000 recipients, which the store then bounds.
 */
export const DEFAULT_MBOX_BOUNDS: MboxBounds = { maxLineBytes: 1 * MB, maxHeaderBytes: 8 * MB };

/**
 * Streams an mbox file (Google Takeout, Enron, mboxrd list archives; `.mbox.gz` too,
 * detected by its magic bytes) and yields one {@link MailItem} per message. Only headers
 * are read and kept (see mbox-splitter.ts): bodies stream past, so memory stays bounded by
 * the header bounds whatever the file or its messages weigh, and time is linear. Subjects
 * are hashed. Each item carries the folder the archive says it was filed in (`X-Folder`),
 * if any, as an `mbox-folder:` label.
 *
 * Never stops on one message: a message over a bound, without a usable time or cut short
 * at the end of the file is skipped and told to `onSkip`; gzip data that ends early (a
 * download cut short) keeps what came before and is told as a `file` skip.
 *
 * @throws InputError when the file does not exist or is not a file.
 * @throws FormatError when the file does not start like an mbox (`From ` line).
 */
export async function* readMbox(file: string, opts: MboxOptions): AsyncGenerator<MailItem> {
  const input = await inspectInput(file, 'mbox file');
  const text = input.head.toString('latin1').replace(/^\xef\xbb\xbf/, '');
  const firstLine = /^[ \t]*\S[^\r\n]*/m.exec(text)?.[0];
  if (firstLine === undefined || !firstLine.startsWith('From ')) {
    throw new FormatError("not an mbox file: expected a line starting with 'From '", file);
  }
  const source = openInput(input);
  const parts: MboxPart[] = [];
  const splitter = new MboxSplitter({ ...DEFAULT_MBOX_BOUNDS, ...opts.bounds }, (part) => parts.push(part));
  let reported = -1;
  const drain = function* (): Generator<MailItem> {
    for (const part of parts) {
      reported = source.bytesRead();
      opts.onProgress?.(reported, input.size);
      if ('skipped' in part) {
        opts.onSkip?.(`message ${part.ordinal}: ${part.skipped}`, { kind: 'message', reason: part.skipped });
        continue;
      }
      const item = toMailItem(part.message, opts.accountId);
      if (item === null) {
        const reason = 'no parseable time';
        opts.onSkip?.(`message ${part.ordinal}: neither a Date header nor the From line gives a parseable time`, { kind: 'message', reason });
        continue;
      }
      yield item;
    }
    parts.length = 0;
  };
  try {
    try {
      for await (const chunk of source.chunks) {
        splitter.push(chunk);
        yield* drain();
      }
      splitter.end();
    } catch (err) {
      if (!(err instanceof DamagedInputError)) throw err;
      splitter.end();
      yield* drain();
      opts.onSkip?.(`${err.message}: the messages after it are lost`, { kind: 'file', reason: 'gzip data ends early' });
      return;
    }
    yield* drain();
    if (source.bytesRead() !== reported) opts.onProgress?.(source.bytesRead(), input.size);
  } finally {
    source.close();
  }
}

/**
 * Maps one parsed message to a MailItem; null when it has no usable time. Labels are the
 * Takeout labels (`X-Gmail-Labels`) plus, where the archive names the source folder
 * (`X-Folder`, as the Enron corpus does), one `mbox-folder:<path>` label (see
 * lib/items/folders.ts).
 */
export function toMailItem(message: MboxMessage, accountId: string): MailItem | null {
  const h = message.headers;
  const at = parseMailDate(first(h, 'date')) ?? fromLineTime(message.time);
  if (at === null) return null;

  const names: Record<string, string> = {};
  const collect = (header: string): string[] =>
    parseAddressList(all(h, header)).map((p) => {
      if (p.name && !names[p.address]) names[p.address] = p.name;
      return p.address;
    });
  const sender = parseAddressList(first(h, 'from'))[0];
  const from = sender?.address ?? null;
  if (sender) {
    // Enron keeps display names only in X-From ("Allen, Phillip K. </O=ENRON/...>").
    const name = sender.name ?? xFromName(first(h, 'x-from'));
    if (name) names[sender.address] = name;
  }
  const to = collect('to');
  const cc = collect('cc');
  const bcc = collect('bcc');

  const messageId = normalizeMessageId(first(h, 'message-id'));
  const replyTo = [...new Set([...messageIdsIn(all(h, 'in-reply-to')), ...messageIdsIn(all(h, 'references'))])];
  const subject = first(h, 'subject');
  const subjectKey = subject === undefined ? null : subjectHash(decodeWords(repairEncoding(subject)));
  const head = subjectKey === null ? undefined : foldedSubjectHead(message.content);
  const headKey = head === undefined ? null : subjectHash(decodeWords(repairEncoding(head)));
  const gmailThread = first(h, 'x-gm-thrid')?.trim();
  const labels = takeoutLabels(h.get('x-gmail-labels')?.map((v) => decodeWords(repairEncoding(v))));
  const xFolder = first(h, 'x-folder');
  const folder = mboxFolderLabel(xFolder === undefined ? undefined : decodeWords(repairEncoding(xFolder)));
  if (folder !== null) labels.push(folder);

  return {
    kind: 'mail',
    accountId,
    source: 'mbox',
    providerId: messageId ?? shortHash(headerBlock(message.content)),
    messageId,
    threadId: gmailThread || subjectKey,
    at: new Date(at).toISOString(),
    from,
    to,
    cc,
    bcc,
    names,
    replyTo,
    subjectHash: subjectKey,
    ...(headKey !== null && headKey !== subjectKey ? { subjectHeadHash: headKey } : {}),
    labels,
    bulkSignals: bulkSignals(h),
  };
}

/**
 * The automated-mail signals DESIGN section 3 names, read here because headers are not
 * stored: `list-id`, `list-unsubscribe`, `precedence:bulk|list|junk`,
 * `auto-submitted:<value>` (unless `no`).
 */
export function bulkSignals(h: Map<string, string[]>): string[] {
  const signals: string[] = [];
  if (first(h, 'list-id')?.trim()) signals.push('list-id');
  if (first(h, 'list-unsubscribe')?.trim()) signals.push('list-unsubscribe');
  const precedence = firstToken(first(h, 'precedence'));
  if (precedence === 'bulk' || precedence === 'list' || precedence === 'junk') {
    signals.push(`precedence:${precedence}`);
  }
  const autoSubmitted = firstToken(first(h, 'auto-submitted'));
  if (autoSubmitted && autoSubmitted !== 'no') signals.push(`auto-submitted:${autoSubmitted}`);
  return signals;
}

/** The name part of Enron's X-From (`"Earnings.com" <webmaster@...>@ENRON`), if any. */
function xFromName(raw: string | undefined): string | null {
  if (!raw) return null;
  const lt = raw.indexOf('<');
  const name = (lt >= 0 ? raw.slice(0, lt) : raw).replace(/\s+/g, ' ').trim().replace(/^"+|"+$/g, '').trim();
  if (!name || name.includes('@')) return null;
  return decodeWords(repairEncoding(name));
}

/** The From-line time, unless absent or the epoch placeholder mboxrd archives write. */
function fromLineTime(time: Date | false): number | null {
  if (!time) return null;
  const t = time.getTime();
  return Number.isNaN(t) || t <= 0 ? null : t;
}

/** The raw header block (up to the first blank line): the fallback identity of a message. */
function headerBlock(content: Buffer): string {
  const end = content.indexOf('\n\n');
  return content.toString('latin1', 0, end < 0 ? content.length : end);
}

/**
 * The first physical line of the Subject header when the header is folded onto more
 * lines, else undefined. The splitter hands headers back unfolded, so the raw header
 * block is read; only the first Subject header counts, as everywhere here.
 */
function foldedSubjectHead(content: Buffer): string | undefined {
  const match = FOLDED_SUBJECT.exec(headerBlock(content));
  return match ? match[1] : undefined;
}
const FOLDED_SUBJECT = /^subject:[ \t]*([^\r\n]*)\r?\n(?=[ \t])/im;

function first(h: Map<string, string[]>, name: string): string | undefined {
  return h.get(name)?.[0];
}

/** Every value of a header that may repeat (To, Cc, References), joined as one list. */
function all(h: Map<string, string[]>, name: string): string | undefined {
  const values = h.get(name);
  if (!values) return undefined;
  return values.length === 1 ? values[0] : values.join(', ');
}

function firstToken(value: string | undefined): string | null {
  if (!value) return null;
  const token = value.trim().split(/[\s;]/, 1)[0]!.toLowerCase();
  return token || null;
}
