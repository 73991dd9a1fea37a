import { chmod, mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import dynalite from 'dynalite';
import { StoreError } from '#lib/errors.ts';

/**
 * The embedded DynamoDB-compatible store of local mode (DESIGN section 1): dynalite in
 * this process, on a loopback port, in memory or persisted with LevelDB under a directory.
 * It has no transactions, TTL or PartiQL, which the DynamoDB store does not use.
 */

export interface EmbeddedDynamo {
  /** `http://127.0.0.1:PORT`, for `makeDynamoClient({ endpoint })`. */
  endpoint: string;
  /** Stop serving, flush and close the database, release the directory. */
  close(): Promise<void>;
}

export interface EmbeddedDynamoOptions {
  /**
   * Directory to persist under (created if missing): LevelDB files go to `<path>/dynamodb/`,
   * guarded by `<path>/dynamodb.lock`. In memory when absent. The directories are kept
   * 0700 and the files 0600, as the local keys are.
   */
  path?: string;
  /**
   * Serve from a worker thread (lib/local/dynalite-thread.mjs) rather than this one.
   * dynalite's request handling and its LevelDB calls then run beside the caller's own
   * work (reading files, the SDK's marshalling) instead of between it, and that thread's
   * LevelDB calls skip most hand-offs to libuv's pool. Worth it for the CLI's store; a
   * test that opens many short-lived stores is better off without a thread to start.
   * @default false
   */
  thread?: boolean;
}

/** dynalite's options: no artificial delays, persisted under `dataDir` when given. */
function dynaliteOptions(dataDir: string | undefined): Record<string, unknown> {
  return { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(dataDir === undefined ? {} : { path: dataDir }) };
}

/**
 * Start dynalite on a free loopback port.
 *
 * A persisted store can be open in one process only. LevelDB's own lock does not surface
 * through dynalite (a second opener's requests hang and its iterators throw), so a lock
 * file holding our pid is taken first and a second opener gets a clear StoreError.
 */
export async function startEmbeddedDynamo(options: EmbeddedDynamoOptions = {}): Promise<EmbeddedDynamo> {
  const lock = options.path === undefined ? undefined : await acquireLock(options.path);
  const dataDir = options.path === undefined ? undefined : join(options.path, 'dynamodb');
  try {
    if (dataDir !== undefined) {
      await privateDirectory(dataDir);
      await makePrivate(dataDir); // files an earlier version left readable
    }
    const served = options.thread === true ? await serveInWorker(dynaliteOptions(dataDir)) : await serveHere(dynaliteOptions(dataDir));
    let closing: Promise<void> | undefined;
    return {
      endpoint: `http://127.0.0.1:${served.port}`,
      close() {
        closing ??= served
          .close()
          // LevelDB creates its files with the process umask (0644 under the usual 022):
          // they hold everyone's mail metadata, so they are made the owner's alone, like the
          // keys. While the store is open the 0700 directory already keeps others out.
          .then(() => (dataDir === undefined ? undefined : makePrivate(dataDir)))
          .finally(() => lock?.release());
        return closing;
      },
    };
  } catch (error) {
    await lock?.release();
    throw new StoreError(`could not start the embedded DynamoDB: ${String(error)}`, { cause: error });
  }
}

/** A dynalite listening on a loopback port, and how to stop it (its database closed). */
interface Served {
  port: number;
  close(): Promise<void>;
}

async function serveHere(dynaliteOpts: Record<string, unknown>): Promise<Served> {
  const server = dynalite(dynaliteOpts);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        // SDK clients keep sockets alive; without this, close waits for them to time out.
        server.closeAllConnections();
      }),
  };
}

type WorkerReply = { port?: number; closed?: boolean; failed?: string };

async function serveInWorker(dynaliteOpts: Record<string, unknown>): Promise<Served> {
  const worker = new Worker(new URL('./dynalite-thread.mjs', import.meta.url), {
    workerData: { dynalite: createRequire(import.meta.url).resolve('dynalite'), options: dynaliteOpts },
  });
  const reply = (): Promise<WorkerReply> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: WorkerReply): void => {
        cleanup();
        resolve(message);
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(error);
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new Error(`the embedded DynamoDB's thread stopped (exit code ${code})`));
      };
      const cleanup = (): void => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
  const started = await reply().catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  if (started.port === undefined) {
    await worker.terminate();
    throw new Error(started.failed ?? 'the embedded DynamoDB did not start');
  }
  // A thread that dies later fails the requests still to come (connection refused) and its close.
  let died: Error | undefined;
  worker.on('error', (error) => (died = error));
  return {
    port: started.port,
    async close() {
      if (died !== undefined) throw died;
      const closed = reply();
      worker.postMessage('close');
      const outcome = await closed.finally(() => worker.terminate());
      if (outcome.failed !== undefined) throw new Error(outcome.failed);
    },
  };
}

interface Lock {
  release(): Promise<void>;
}

/** Creates `directory` (0700), or makes an existing one 0700: only its owner may read the store. */
async function privateDirectory(directory: string): Promise<void> {
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    await chmod(directory, 0o700);
  } catch (error) {
    throw new StoreError(`cannot create the store directory ${directory}: ${String(error)}`, { cause: error });
  }
}

/** Every directory under `directory` 0700 and every file 0600 (LevelDB's own files). */
async function makePrivate(directory: string): Promise<void> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory()) await chmod(path, 0o700);
    else if (entry.isFile()) await chmod(path, 0o600);
  }
}

async function acquireLock(directory: string): Promise<Lock> {
  await privateDirectory(directory);
  const file = join(directory, 'dynamodb.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return { release: () => unlink(file).catch(() => undefined) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StoreError(`cannot lock the store directory ${directory}: ${String(error)}`, { cause: error });
      }
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new StoreError(
          `the store under ${directory} is in use by process ${owner}` +
            (owner === process.pid ? ' (this one)' : '') +
            ': stop that process, or use another --data directory or --memory',
        );
      }
      // Left behind by a process that died without closing: take it over.
      await unlink(file).catch(() => undefined);
    }
  }
  throw new StoreError(`cannot lock the store directory ${directory}: another process keeps taking it`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
