import type { Store } from '#lib/store/types.ts';
import { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { makeDynamoClient } from '#lib/store/dynamodb/client.ts';
import { createTable } from '#lib/store/dynamodb/schema.ts';
import { startEmbeddedDynamo } from './embedded-dynamodb.ts';

export interface LocalStoreOptions {
  /** An existing DynamoDB endpoint; when absent an embedded one is started. */
  endpoint?: string;
  tableName: string;
  /** Where the embedded store persists; in memory when absent. */
  path?: string;
}

/**
 * The store for the local CLI: the same DynamoDB adapter as in AWS, against an embedded
 * DynamoDB-compatible server (dynalite) or a given endpoint. The table is created when
 * missing.
 */
export async function openLocalStore(opts: LocalStoreOptions): Promise<{ store: Store; close(): Promise<void> }> {
  // The CLI's store serves from its own thread: an import's parsing runs beside it.
  const embedded = opts.endpoint ? undefined : await startEmbeddedDynamo({ ...(opts.path ? { path: opts.path } : {}), thread: true });
  const client = makeDynamoClient({ endpoint: opts.endpoint ?? embedded!.endpoint });
  try {
    await createTable(client, opts.tableName);
  } catch (err) {
    client.destroy();
    await embedded?.close();
    throw err;
  }
  return {
    store: new DynamoStore({ client, tableName: opts.tableName }),
    async close() {
      client.destroy();
      await embedded?.close();
    },
  };
}
