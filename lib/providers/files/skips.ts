/**
 * What a file importer left out, and why. Importers never stop on one message or event:
 * they skip it, say why through `onSkip`, and go on. The pipeline sums these per file and
 * cause so the CLI can say it in one line.
 */
export interface FileSkip {
  /** A message of an mbox, an event of a calendar, or the rest of the file. */
  kind: 'message' | 'event' | 'file';
  /**
   * The cause, worded the same for every skip it explains, so skips can be counted by it:
   * `header line over 1 MB`, `bad dates`, `recurs more often than hourly`.
   */
  reason: string;
  /** Which one: an event's UID. Messages are not named (a Message-ID may hold an address). */
  id?: string;
}

/**
 * Told about each skip: `detail` is a sentence for a log or a test (`message 3: ...`,
 * `event abc@x: bad DTSTART`), naming no address; `skip` is the same for counting.
 */
export type OnSkip = (detail: string, skip: FileSkip) => void;

/** Bytes in a megabyte as the skip reasons say it (`over 1 MB`): a mebibyte. */
export const MB = 1024 * 1024;

/** `1 MB`, `64 KB`, `400 bytes`: how the skip reasons state a bound. */
export function formatBytes(bytes: number): string {
  if (bytes >= MB && bytes % MB === 0) return `${bytes / MB} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}
