import type { Item } from '#lib/items/types.ts';
import type { Account, AccountChange, AccountChangeResult, PutItemsResult, Store } from '#lib/store/types.ts';
import type { Simulation } from './sim.ts';
import type { ModelStore } from './store.ts';

/**
 * The calibration of the page-level model (test/bench/fleet.test.ts): the sync worker's
 * calls go to the real DynamoDB store (dynalite, real items) and to the model store side
 * by side. The real store's answer is what the worker gets; the model's is compared with
 * it call by call, and its clock and throughput keep the timing the page-level run has,
 * so the two runs must agree exactly. Real I/O holds the virtual clock (Simulation.io).
 */
export interface Disagreement {
  call: string;
  real: unknown;
  model: unknown;
}

export class DualStore {
  readonly disagreements: Disagreement[] = [];
  realCalls = 0;

  constructor(
    private readonly sim: Simulation,
    readonly real: Store,
    private readonly model: ModelStore,
  ) {}

  /** One invocation's view: the model's latencies on `modelView`, the real store's answers. */
  view(modelView: Store): Store {
    const io = <T>(work: () => Promise<T>): Promise<T> => {
      this.realCalls++;
      return this.sim.io(work);
    };
    const differ = (call: string, real: unknown, model: unknown): void => {
      if (JSON.stringify(real) !== JSON.stringify(model)) this.disagreements.push({ call, real, model });
    };
    const real = this.real;
    return new Proxy(modelView, {
      get: (target, prop, receiver) => {
        switch (prop) {
          case 'getAccount':
            return async (userId: string, accountId: string): Promise<Account | undefined> => {
              const m = await modelView.getAccount(userId, accountId);
              const r = await io(() => real.getAccount(userId, accountId));
              differ('getAccount', pick(r), pick(m));
              return r;
            };
          case 'updateAccount':
            return async (userId: string, accountId: string, change: AccountChange): Promise<AccountChangeResult> => {
              const m = await modelView.updateAccount(userId, accountId, change);
              const r = await io(() => real.updateAccount(userId, accountId, change));
              differ('updateAccount', r, m);
              return r;
            };
          case 'putItems':
            return async (userId: string, items: Item[]): Promise<PutItemsResult> => {
              const m = await modelView.putItems(userId, items);
              const r = await io(() => real.putItems(userId, items));
              differ('putItems', { written: r.written, unchanged: r.unchanged, skipped: r.skipped?.length ?? 0 }, { written: m.written, unchanged: m.unchanged, skipped: 0 });
              return r;
            };
          case 'deleteItems':
          case 'deleteAccountItems':
          case 'getItem':
          case 'getItems':
            return (...args: unknown[]) => io(() => (real[prop] as (...a: unknown[]) => Promise<unknown>)(...args));
          default:
            return Reflect.get(target, prop, receiver);
        }
      },
    });
  }
}

/** What the sync decides on: the account's state, not its record's bookkeeping. */
function pick(a: Account | undefined): unknown {
  return a ? { status: a.status, errorCount: a.errorCount, cursors: a.cursors, lastSyncAt: a.lastSyncAt, progressAt: a.progressAt, failingSince: a.failingSince } : undefined;
}
