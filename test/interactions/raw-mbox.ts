import { readFileSync } from 'node:fs';

/**
 * The raw reading both real-data oracles share (./sent-oracle.ts, ./received-oracle.ts):
 * an mbox file split into messages, each message's header fields, and the measures the
 * oracles compare copies by, all written without any code under test.
 */

/** One message of an mbox file as the raw text has it. */
export interface RawMessage {
  /** Header fields unfolded, by lower-cased name; the first of a repeated field is kept. */
  headers: Map<string, string>;
  /** The header block as written, folded lines and all. */
  block: string;
  /** The text after the header block, the blank line included. */
  body: string;
}

/** The messages of an mbox file (read as latin1, split at its `From ` lines). */
export function rawMessages(file: string): RawMessage[] {
  const text = readFileSync(file, 'latin1');
  return text.split(/^From .*\r?\n/m).slice(1).map((raw) => {
    const blank = raw.search(/\r?\n\r?\n/);
    const block = raw.slice(0, blank < 0 ? raw.length : blank);
    const headers = new Map<string, string>();
    for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      if (colon > 0 && !headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
    }
    return { headers, block, body: raw.slice(blank) };
  });
}

/** A Date header's time (epoch ms), a trailing `(zone name)` set aside. */
export function dateOf(headers: Map<string, string>): number {
  return Date.parse(headers.get('date')!.replace(/\s*\(.*\)\s*$/, ''));
}

/** A subject without `Re:`/`Fw:` prefixes, whitespace folded, lower-cased. */
export function bareSubject(subject: string | undefined): string {
  let s = (subject ?? '').replace(/\s+/g, ' ').trim().toLowerCase();
  for (let prev = ''; prev !== s; ) {
    prev = s;
    s = s.replace(/^(re|fw|fwd)\s*:\s*/, '');
  }
  return s;
}

/** A body's words: runs of 3 or more letters or digits, lower-cased. */
export function wordsOf(body: string): Set<string> {
  return new Set(body.toLowerCase().match(/[a-z0-9]{3,}/g) ?? []);
}

/** Jaccard overlap of two word sets (1 for two empty bodies). */
export function overlap(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 1 : shared / union;
}
