import type { AccountChange, Store } from '#lib/store/types.ts';
import { buildUserReport } from '#lib/report/build.ts';
import { serializeReport } from '#lib/report/json.ts';
import { defaultSettings } from '#lib/settings.ts';

/**
 * The store as a sync sees it when the process dies at its N-th checkpoint: the page's
 * items are stored, its cursor is not (the worst moment). Undefined: the store itself.
 */
export function crashingStore(store: Store, crashAtCheckpoint: number | undefined): Store {
  if (crashAtCheckpoint === undefined) return store;
  let checkpoints = 0;
  return Object.assign(Object.create(store) as Store, {
    updateAccount: async (userId: string, accountId: string, change: AccountChange) => {
      if (++checkpoints === crashAtCheckpoint) throw new Error('crash: the process died');
      return store.updateAccount(userId, accountId, change);
    },
  });
}

/** One user's report JSON as the CLI would write it, for byte-for-byte comparisons. */
export async function reportText(store: Store, userId: string, asOf: number): Promise<string> {
  const { json } = await buildUserReport(store, userId, { asOf: new Date(asOf), settings: defaultSettings });
  return serializeReport(json);
}
