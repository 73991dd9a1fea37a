import type { Item } from '#lib/items/types.ts';
import type { PutItemsOptions, Store } from '#lib/store/types.ts';

/** Items written per store call: large enough to batch, small enough to bound memory. */
const BATCH = 500;

export interface IngestResult {
  /** Items read from the source. */
  read: number;
  /** Items that were new to the store. */
  written: number;
  /** Items the store already held (a re-import, a retry): they change nothing. */
  unchanged: number;
  /** Items the store could not keep even bounded (`PutItemsResult.skipped`): left out, not retried. */
  skipped: number;
}

/**
 * Streams items from a source into the store in bounded batches. Idempotent: the store
 * keys items deterministically, so ingesting the same source twice changes nothing. An
 * item the store skips (too big even bounded) does not stop the rest: it is counted and
 * told to `onStoreSkip`. `options` go to each `putItems` (an import's ledger).
 */
export async function ingest(
  store: Store,
  userId: string,
  source: AsyncIterable<Item> | Iterable<Item>,
  onStoreSkip?: (skip: { providerId: string; reason: string }) => void,
  options: PutItemsOptions = {},
): Promise<IngestResult> {
  const result: IngestResult = { read: 0, written: 0, unchanged: 0, skipped: 0 };
  let batch: Item[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const r = await store.putItems(userId, batch, options);
    result.written += r.written;
    result.unchanged += r.unchanged;
    for (const skip of r.skipped ?? []) {
      result.skipped += 1;
      onStoreSkip?.(skip);
    }
    batch = [];
  };
  for await (const item of source) {
    result.read += 1;
    batch.push(item);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return result;
}
