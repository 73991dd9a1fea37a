/**
 * Types for `mbox-reader` (postalsys), which ships none. Only what Sinew uses: the async
 * generator over a byte stream.
 */
declare module 'mbox-reader' {
  import type { Readable } from 'node:stream';

  export interface MboxMessage {
    /** Address on the `From ` separator line. */
    returnPath: string;
    /** Time on the `From ` separator line; false when it does not parse. */
    time: Date | false;
    /** The whole RFC 822 message, bytes as read. */
    content: Buffer;
    /** Lower-cased header name to every value, unfolded, in latin1 (bytes as chars). */
    headers: Map<string, string[]>;
    flags: string[];
    labels: string[];
    /** Bytes handed to the parser so far (decompressed bytes for gzip input). */
    readSize: number;
  }

  export function mboxReader(input: Readable, options?: { gz?: boolean }): AsyncGenerator<MboxMessage>;
}
