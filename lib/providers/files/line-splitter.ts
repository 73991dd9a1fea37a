/**
 * Splits a byte stream into lines at LF (a CR before it is dropped), bounded: a line
 * longer than `maxLineBytes` is handed over as its first `maxLineBytes` bytes with
 * `overLong` set, and the rest of it is dropped as it streams past, never buffered. So
 * memory stays within one chunk and one bounded line, and time is linear.
 */
export class LineSplitter {
  private pieces: Buffer[] = [];
  private held = 0;
  private overLong = false;
  /** Bytes of a line were seen since the last LF (the last line may have no LF). */
  private open = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: Buffer, overLong: boolean) => void,
  ) {}

  push(chunk: Buffer): void {
    let from = 0;
    while (from < chunk.length) {
      const lf = chunk.indexOf(0x0a, from);
      const end = lf < 0 ? chunk.length : lf;
      this.open = true;
      if (!this.overLong && end > from) {
        const take = Math.min(this.maxLineBytes - this.held, end - from);
        const piece = chunk.subarray(from, from + take);
        // A line that goes on in the next chunk is copied: the chunk is not ours to keep.
        this.pieces.push(lf < 0 ? Buffer.from(piece) : piece);
        this.held += take;
        if (end - from > take) this.overLong = true;
      }
      if (lf < 0) return;
      this.flush();
      from = lf + 1;
    }
  }

  /** The input ended: hands over a last line that had no LF. */
  end(): void {
    if (this.open) this.flush();
  }

  private flush(): void {
    const line = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.held);
    const overLong = this.overLong;
    this.pieces = [];
    this.held = 0;
    this.overLong = false;
    this.open = false;
    this.onLine(!overLong && line.at(-1) === 0x0d ? line.subarray(0, line.length - 1) : line, overLong);
  }
}
