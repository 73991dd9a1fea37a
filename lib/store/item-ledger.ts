/**
 * One run's record of the items it writes to one account, so that `Store.putItems` need
 * not read back what the store holds when the answer is already known.
 *
 * The store looks once, on the ledger's first use, whether the account holds any item. When
 * it holds none (a first import), an item whose key this run has not written yet cannot be
 * stored, so it is new: it is written without the read that compares content hashes. Only
 * a key this run has written before (or one sharing its 32-bit digest) is read and
 * compared as usual. The counts stay exact: `written` and `unchanged` are what the read
 * would have found.
 *
 * Sound while the run is the account's one writer: the CLI's import of a files account
 * (nothing syncs a files account, and the embedded store is one process's, by its lock
 * file). A crash leaves items behind, so the next run finds the account holding them and
 * compares every item. Memory stays bounded: past `maxKeys` the ledger stops vouching and
 * every item is compared again.
 */
export class ItemLedger {
  private state: 'unproven' | 'fresh' | 'held' = 'unproven';
  private readonly digests = new Set<number>();

  /**
   * @param accountId the one account whose items the ledger follows (others in the same
   *   `putItems` call are compared as usual)
   * @param maxKeys digests kept before the ledger stops vouching (about 4 MB per 100,000)
   */
  constructor(
    readonly accountId: string,
    private readonly maxKeys = 2_000_000,
  ) {}

  /** Whether the store still has to look at the account before trusting the ledger. */
  get unproven(): boolean {
    return this.state === 'unproven';
  }

  /** The store's look: whether the account held any item when the run began. */
  proven(held: boolean): void {
    if (this.state === 'unproven') this.state = held ? 'held' : 'fresh';
  }

  /**
   * True when the item may be stored and must be compared; false only when the account
   * held nothing at the start and this run has certainly not written `providerId`.
   */
  mayHold(accountId: string, providerId: string): boolean {
    if (this.state !== 'fresh' || accountId !== this.accountId) return true;
    return this.digests.has(digest(providerId));
  }

  /**
   * Notes an item of the account as (about to be) stored. Called before the write: a write
   * that fails after it only costs a read should the item come again.
   */
  note(accountId: string, providerId: string): void {
    if (this.state !== 'fresh' || accountId !== this.accountId) return;
    if (this.digests.size >= this.maxKeys) {
      this.state = 'held';
      this.digests.clear();
      return;
    }
    this.digests.add(digest(providerId));
  }
}

/** FNV-1a over the UTF-16 code units: cheap, and a collision only costs one read. */
function digest(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
