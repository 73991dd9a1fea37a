import { beforeAll, describe, expect, it } from 'vitest';
import { FLEET_START } from '#bench/fleet/fleet.ts';
import { makeFleet, type Mailbox } from '#bench/fleet/mailboxes.ts';
import { runMondayWave } from '#bench/fleet/reports.ts';
import { logicalId, resourcesOf, synthSinew } from '#test/infra/synth.ts';

/**
 * Monday's report wave (bench/fleet/reports.ts) with the report worker as the stack builds
 * it: the event source's maxConcurrency and the worker's SINEW_SES_SEND_RATE are read from
 * the synthesized template, so a stack that dropped the cap or the pacing fails here. At
 * SES's first production rate, 14 a second, 3,000 people in one time zone all get their
 * report and none is dead-lettered; before the cap, 86 of them got none.
 */
describe('Monday wave at SES 14/s, the stack\'s report worker settings', () => {
  let mailboxes: Mailbox[];
  let maxConcurrency: number | undefined;
  let configuredRate: number | undefined;
  beforeAll(() => {
    mailboxes = makeFleet({ size: 3000, provider: 'google', seed: 1, start: FLEET_START, timeZone: 'Europe/Paris' });
    const { stack, template } = synthSinew({ context: { sesSendRate: '14' } });
    const worker = logicalId(stack.report.worker.fn, stack);
    const mapping = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')).find(
      (m) => JSON.stringify(m.Properties!.FunctionName).includes(worker),
    )!;
    maxConcurrency = (mapping.Properties!.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency;
    const env = (resourcesOf(template, 'AWS::Lambda::Function')[worker]!.Properties!.Environment as { Variables: Record<string, string> }).Variables;
    configuredRate = env.SINEW_SES_SEND_RATE === undefined ? undefined : Number(env.SINEW_SES_SEND_RATE);
  }, 60_000);

  it('sends every report of 3,000 people within the hour and dead-letters none', async () => {
    const paced = maxConcurrency !== undefined && configuredRate !== undefined;
    const w = await runMondayWave({
      mailboxes,
      sesRate: 14,
      seed: 1,
      syncConcurrency: 200,
      ...(paced ? { maxConcurrency, configuredRate } : { unpaced: true }),
    });
    expect({ paced, due: w.due, sent: w.sent, deadLettered: w.deadLettered, timeouts: w.timeouts }).toEqual({ paced: true, due: 3000, sent: 3000, deadLettered: 0, timeouts: 0 });
    expect(w.sentWithinHour).toBe(3000);
    // 3,000 at 14 a second take at least 214 s; the poller's ramp and the builds add little.
    expect(w.lastSentMs).toBeGreaterThanOrEqual((3000 / 14) * 1000);
    expect(w.lastSentMs).toBeLessThan(15 * 60_000);
    expect(w.peakConcurrency).toBeLessThanOrEqual(maxConcurrency!);
  }, 60_000);

  it('before the cap and the pacing, the same wave dead-lettered reports (the README\'s finding)', async () => {
    const w = await runMondayWave({ mailboxes, sesRate: 14, seed: 1, syncConcurrency: 200, unpaced: true });
    expect(w.deadLettered).toBeGreaterThan(0);
    expect(w.sent + w.deadLettered).toBe(3000);
    expect(w.peakConcurrency).toBeGreaterThan(100);
  }, 60_000);

  it('keeps a stack set for 100/s but an account still at 14/s from dead-lettering: throttled sends wait inside the invocation', async () => {
    const w = await runMondayWave({ mailboxes, sesRate: 14, configuredRate: 100, seed: 1, syncConcurrency: 200 });
    expect(w.workerRetries).toBeGreaterThan(0);
    expect(w.sent).toBe(3000);
    expect(w.deadLettered).toBe(0);
  }, 60_000);
});
