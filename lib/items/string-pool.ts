/**
 * One string object per distinct value: what the store read hands every item it decodes.
 *
 * A mailbox names a few thousand people across hundreds of thousands of items, and each
 * decoded item brings its own copy of every address and folder label. Pooling them as
 * items are read keeps one copy each (less memory: tens of MB on a 1 GB mailbox) and,
 * what the brief and the weekly report feel most, makes the per-address lookups of the
 * extraction and the brief's filter hit a few thousand strings that stay in the CPU's
 * cache, rather than a fresh string per item: about a fifth off the brief's compute on
 * the 1 GB bench mailbox (bench/brief.ts).
 *
 * A plain `Map`: the pool lives for one read and holds what that read decoded.
 */
export class StringPool {
  private readonly strings = new Map<string, string>();

  /** The pooled string equal to `s`, pooling `s` when it is the first. */
  intern(s: string): string {
    const pooled = this.strings.get(s);
    if (pooled !== undefined) return pooled;
    this.strings.set(s, s);
    return s;
  }

  /** `list` with every element pooled, in place (the decoder owns its arrays). */
  internAll(list: string[]): string[] {
    for (let k = 0; k < list.length; k++) list[k] = this.intern(list[k]!);
    return list;
  }

  /** How many distinct strings are pooled. */
  get size(): number {
    return this.strings.size;
  }
}
