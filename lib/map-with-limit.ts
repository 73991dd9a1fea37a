/**
 * Runs `task` over `values` with at most `limit` (at least one) in flight; results in
 * input order. The one bounded fan-out of lib/: the store's batches, the team index's
 * summaries, the brief dispatcher's people and the queues' SendMessageBatch calls use it.
 */
export async function mapWithLimit<T, R>(
  values: readonly T[],
  limit: number,
  task: (value: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(values.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < values.length) {
      const index = next;
      next += 1;
      results[index] = await task(values[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), values.length) }, worker));
  return results;
}
