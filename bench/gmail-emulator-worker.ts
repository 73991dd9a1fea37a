/**
 * The Gmail emulator of the sync bench, in a worker thread: Google answers from another
 * machine, so the emulator must not share the client's event loop. Sharing it, a stall
 * of the client (JSON parsing, garbage collection) also delays the emulator's quota
 * accounting, which the scaled quota window magnifies into 429s Google would not send.
 *
 * Protocol: workerData is a {@link GmailEmulatorSpec}; the worker posts `{ url }` once
 * listening, answers `'stats'` with {@link GmailEmulatorStats} and `'close'` with `'closed'`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '#lib/time/clock.ts';
import type { GmailMethod } from '#lib/providers/google/quota.ts';
import { gmailHandler } from '#test/support/google/gmail-emulator.ts';
import { buildMailbox } from '#test/support/google/gmail-fixture.ts';
import { QuotaLedger } from '#test/support/google/quota.ts';
import { startGoogleEmulator } from '#test/support/google/server.ts';

/** What the worker serves. */
export interface GmailEmulatorSpec {
  messages: number;
  seed: number;
  /** Newest message time, epoch ms. */
  asOf: number;
  /** The (scaled) quota the emulator enforces. */
  limit: number;
  windowMs: number;
  costs: Readonly<Record<GmailMethod, number>>;
  latencyMs: number;
}

/** What the emulator counted so far. */
export interface GmailEmulatorStats {
  /** Units accepted (refused requests are not charged). */
  units: number;
  requests: number;
  /** Wall-clock arrival times of the requests refused for quota (429 or 403). */
  refusedAt: number[];
  /** The busiest moving window, in units. */
  peakWindow: number;
}

const spec = workerData as GmailEmulatorSpec;
const port = parentPort!;
const box = buildMailbox({ messages: spec.messages, seed: spec.seed, asOf: spec.asOf });
const ledger = new QuotaLedger({ clock: systemClock, limit: spec.limit, windowMs: spec.windowMs });
const emulator = await startGoogleEmulator({
  clock: systemClock,
  latencyMs: spec.latencyMs,
  handlers: [gmailHandler(box, { ledger, costs: spec.costs })],
});

port.on('message', (msg: 'stats' | 'close') => {
  if (msg === 'stats') {
    const stats: GmailEmulatorStats = {
      units: ledger.charges.reduce((n, c) => n + c.units, 0),
      requests: emulator.requests.length,
      refusedAt: emulator.requests.filter((r) => r.status === 429 || r.status === 403).map((r) => r.at),
      peakWindow: ledger.peakWindow('me'),
    };
    port.postMessage(stats);
  } else {
    void emulator.close().then(() => {
      port.postMessage('closed');
      port.close();
    });
  }
});
port.postMessage({ url: emulator.url });
