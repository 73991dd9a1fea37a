import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '#lib/store/types.ts';
import { loadConfig } from '#lib/config.ts';
import { openLocalStore } from '#lib/local/store.ts';

export interface GlobalFlags {
  data: string;
  memory?: boolean;
}

export interface CliContext {
  store: Store;
  /** The user the last import was for, so `sinew report` needs no `--user`. */
  defaultUser(): Promise<string | undefined>;
  setDefaultUser(userId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the store the CLI works on: `SINEW_DYNAMODB_ENDPOINT` when set, else the
 * embedded DynamoDB, persisted under `--data` or in memory with `--memory`.
 */
export async function openCliContext(flags: GlobalFlags): Promise<CliContext> {
  const config = loadConfig();
  const local = await openLocalStore({
    endpoint: config.SINEW_DYNAMODB_ENDPOINT,
    tableName: config.SINEW_TABLE_NAME,
    path: flags.memory ? undefined : flags.data,
  });
  const stateFile = join(flags.data, 'cli.json');
  let memoryUser: string | undefined;
  return {
    store: local.store,
    async defaultUser() {
      if (flags.memory) return memoryUser;
      const text = await readFile(stateFile, 'utf8').catch(() => undefined);
      return text ? (JSON.parse(text) as { defaultUser?: string }).defaultUser : undefined;
    },
    async setDefaultUser(userId) {
      if (flags.memory) {
        memoryUser = userId;
        return;
      }
      await mkdir(flags.data, { recursive: true });
      await writeFile(stateFile, `${JSON.stringify({ defaultUser: userId })}\n`);
    },
    close: () => local.close(),
  };
}
