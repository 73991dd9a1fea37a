import { describe, expect, it } from 'vitest';
import { MailDeliveryError } from '#lib/mail/errors.ts';
import type { Mailer, OutgoingEmail } from '#lib/mail/mailer.ts';
import { pacedMailer, reportWorkerConcurrency, SendPacer, sendIntervalMs, THROTTLE_MAX_WAIT_MS } from '#lib/mail/pace.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';

const email: OutgoingEmail = { from: 'reports@sinew.example.com', to: 'ann@acme.com', subject: 'Your week', html: '<p>hi</p>', text: 'hi', headers: {} };
const rateThrottle = () => new MailDeliveryError('SES throttled the send (TooManyRequestsException)', true, { throttled: 'rate' });
const dailyQuota = () => new MailDeliveryError('SES refused the send: daily quota', true, { throttled: 'daily-quota' });

/** A transport that fails with `failures` in turn, then accepts; it records when each try came. */
function scripted(clock: VirtualClock, failures: Array<() => Error>): Mailer & { tries: number[] } {
  const tries: number[] = [];
  return {
    tries,
    async send() {
      tries.push(clock.now());
      const next = failures.shift();
      if (next) throw next();
      return { messageId: `ses-${tries.length}` };
    },
  };
}

describe('report workers and send spacing from the SES rate', () => {
  it('caps the workers at three per message a second, within the event source\'s 2 to 1,000', () => {
    expect(reportWorkerConcurrency(14)).toBe(42);
    expect(reportWorkerConcurrency(100)).toBe(300);
    expect(reportWorkerConcurrency(1)).toBe(3);
    expect(reportWorkerConcurrency(500)).toBe(1000);
  });

  it('spaces each worker\'s sends so that all workers together send at most the rate', () => {
    expect(sendIntervalMs(14)).toBe(3000);
    expect(sendIntervalMs(100)).toBe(3000);
    expect(sendIntervalMs(500)).toBe(2000);
    for (const rate of [1, 2, 7, 14, 50, 100, 333, 334, 1000, 5000]) {
      const workers = reportWorkerConcurrency(rate);
      expect(workers * (1000 / sendIntervalMs(rate)), String(rate)).toBeLessThanOrEqual(rate);
    }
  });
});

describe('SendPacer', () => {
  it('lets the first send go at once and the next ones one interval apart; an idle worker does not wait', async () => {
    const clock = new VirtualClock();
    const pacer = new SendPacer(3000, clock);
    const t0 = clock.now();
    const at: number[] = [];
    for (let i = 0; i < 3; i++) {
      await pacer.take();
      at.push(clock.now() - t0);
    }
    expect(at).toEqual([0, 3000, 6000]);
    clock.advance(60_000);
    const before = clock.now();
    await pacer.take();
    expect(clock.now()).toBe(before);
  });
});

describe('pacedMailer', () => {
  it('tries a send throttled for the rate again after growing waits, inside one call', async () => {
    const clock = new VirtualClock();
    const inner = scripted(clock, [rateThrottle, rateThrottle]);
    const throttled: number[] = [];
    const mailer = pacedMailer(inner, { pacer: new SendPacer(0, clock), clock, deadline: clock.now() + 60_000, random: () => 0, onThrottled: (ms) => throttled.push(ms) });
    const t0 = clock.now();
    expect(await mailer.send(email)).toEqual({ messageId: 'ses-3' });
    expect(throttled).toEqual([500, 1000]);
    expect(inner.tries.map((t) => t - t0)).toEqual([0, 500, 1500]);
  });

  it('throws a used-up daily quota at once: waiting seconds cannot help', async () => {
    const clock = new VirtualClock();
    const inner = scripted(clock, [dailyQuota]);
    const mailer = pacedMailer(inner, { pacer: new SendPacer(0, clock), clock, deadline: clock.now() + 60_000 });
    await expect(mailer.send(email)).rejects.toMatchObject({ throttled: 'daily-quota' });
    expect(inner.tries).toHaveLength(1);
    expect(clock.slept).toEqual([]);
  });

  it('throws any other failure at once', async () => {
    const clock = new VirtualClock();
    const inner = scripted(clock, [() => new MailDeliveryError('SES refused the message', false)]);
    const mailer = pacedMailer(inner, { pacer: new SendPacer(0, clock), clock, deadline: clock.now() + 60_000 });
    await expect(mailer.send(email)).rejects.toThrow(/refused the message/);
    expect(inner.tries).toHaveLength(1);
  });

  it('gives up before its deadline when SES keeps throttling, with the throttling error', async () => {
    const clock = new VirtualClock();
    const inner = scripted(clock, Array.from({ length: 100 }, () => rateThrottle));
    const t0 = clock.now();
    const mailer = pacedMailer(inner, { pacer: new SendPacer(3000, clock), clock, deadline: t0 + 75_000, random: () => 1 });
    await expect(mailer.send(email)).rejects.toMatchObject({ throttled: 'rate' });
    expect(clock.now() - t0).toBeLessThan(75_000);
    expect(inner.tries.length).toBeGreaterThan(3);
    // Each try takes a pacer slot: never closer than its interval.
    for (let i = 1; i < inner.tries.length; i++) expect(inner.tries[i]! - inner.tries[i - 1]!).toBeGreaterThanOrEqual(3000);
    expect(Math.max(...clock.slept)).toBeLessThanOrEqual(THROTTLE_MAX_WAIT_MS);
  });
});
