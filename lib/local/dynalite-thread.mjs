// The embedded DynamoDB's own thread (lib/local/embedded-dynamodb.ts, `thread: true`).
// Plain JavaScript: no TypeScript loader reaches a worker thread.
//
// It serves dynalite on a loopback port, posts `{ port }` (or `{ failed }`), and on any
// message closes the server and its database and posts `{ closed: true }`.
//
// The thread is dynalite's alone, so its LevelDB calls are tuned for it (this thread's
// copy of classic-level only; the caller's thread is untouched). dynalite makes three
// LevelDB calls per item written (the table's description, the item's old version, the
// put), each a round trip through libuv's thread pool: in a large import that hand-off,
// not LevelDB, was most of the store's time.
// - Reads are synchronous (`getSync`): a few microseconds of this thread, which would
//   otherwise wait for the pool anyway.
// - Puts issued within one turn of the event loop (a BatchWriteItem's 25 items) go to
//   LevelDB as one batch; each put still resolves only once its batch is written. dynalite
//   orders dependent calls on one key by waiting for each call's result (and its per-item
//   lock), which this keeps: nothing resolves earlier than before.
import { createRequire } from 'node:module';
import { setImmediate } from 'node:timers';
import { parentPort, workerData } from 'node:worker_threads';

const requireFromDynalite = createRequire(workerData.dynalite);
const { ClassicLevel } = requireFromDynalite('classic-level');
tuneLevelDb(ClassicLevel.prototype);
const server = requireFromDynalite(workerData.dynalite)(workerData.options);

server.once('error', (error) => parentPort.postMessage({ failed: String(error) }));
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.once('message', () => {
  server.close((error) => {
    parentPort.postMessage({ closed: true, failed: error ? String(error) : undefined });
    parentPort.close();
  });
  // SDK clients keep sockets alive; without this, close waits for them to time out.
  server.closeAllConnections();
});

/** Synchronous reads and batched puts, where this version of classic-level allows them. */
function tuneLevelDb(proto) {
  if (typeof proto._getSync === 'function') {
    proto._get = async function get(key, options) {
      return this._getSync(key, options);
    };
  }
  if (typeof proto._batch !== 'function') return;
  const pending = Symbol('pending puts');
  const putOne = proto._put;
  proto._put = function put(key, value, options) {
    if (options?.sync) return putOne.call(this, key, value, options);
    let queue = this[pending];
    if (queue === undefined) {
      queue = [];
      this[pending] = queue;
      setImmediate(() => {
        this[pending] = undefined;
        const writes = queue.map(({ key, value }) => ({ type: 'put', key, value }));
        this._batch(writes, {}).then(
          () => queue.forEach((p) => p.resolve()),
          (error) => queue.forEach((p) => p.reject(error)),
        );
      });
    }
    return new Promise((resolve, reject) => queue.push({ key, value, resolve, reject }));
  };
}
