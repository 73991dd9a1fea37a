import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '#lib/local/embedded-dynamodb.ts';
import { makeDynamoClient } from '#lib/store/dynamodb/client.ts';
import { createTable } from '#lib/store/dynamodb/schema.ts';
import { DynamoStore, type DynamoStoreOptions } from '#lib/store/dynamodb/store.ts';

/** A real dynalite in memory with the Sinew table, for tests (no mocks of DynamoDB). */
export interface TestDynamo {
  dynamo: EmbeddedDynamo;
  client: DynamoDBClient;
  tableName: string;
  /** A store on the test table; options override the defaults. */
  store(options?: Partial<Omit<DynamoStoreOptions, 'client' | 'tableName'>>): DynamoStore;
  close(): Promise<void>;
}

let tables = 0;

/** Start dynalite (in memory unless `path` is given; in its own thread with `thread`) and create a fresh table. */
export async function startTestDynamo(options: { path?: string; tableName?: string; thread?: boolean } = {}): Promise<TestDynamo> {
  const dynamo = await startEmbeddedDynamo({ ...(options.path === undefined ? {} : { path: options.path }), thread: options.thread === true });
  const client = makeDynamoClient({ endpoint: dynamo.endpoint });
  tables += 1;
  const tableName = options.tableName ?? `sinew-test-${tables}`;
  await createTable(client, tableName);
  return {
    dynamo,
    client,
    tableName,
    store: (overrides = {}) => new DynamoStore({ client, tableName, ...overrides }),
    close: async () => {
      client.destroy();
      await dynamo.close();
    },
  };
}

const WRITE_COMMANDS = new Set(['BatchWriteItemCommand', 'PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

/** The DynamoDB write requests a client sent since the last reset, by command. */
export interface WriteCounter {
  /** Requests by command name (`BatchWriteItemCommand`, ...); a command not sent is absent. */
  counts: Record<string, number>;
  reset(): void;
}

/** Counts the write requests `client` sends from now on, for tests that prove a sync wrote nothing. */
export function countWrites(client: DynamoDBClient): WriteCounter {
  const counter: WriteCounter = {
    counts: {},
    reset() {
      counter.counts = {};
    },
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '';
      if (WRITE_COMMANDS.has(name)) counter.counts[name] = (counter.counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countWrites' },
  );
  return counter;
}
