import { afterEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.AWS_REGION = 'eu-west-1';
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lambdaHandler, SHARED_HANDLER } from '#functions/shared/handler.ts';
import { logger, metrics } from '#functions/shared/observability.ts';
import { FUNCTION_NAMES, functionEntry, PROJECT_ROOT } from '#infra/bundling.ts';
import { lambdaContext } from '#test/support/lambda.ts';

/**
 * Handlers only adapt (STYLE.md, functions/): each Lambda's file is small and its middy
 * chain is the one functions/shared/handler.ts composes, so all functions log,
 * trace and count the same way.
 */
const FUNCTIONS_DIR = join(PROJECT_ROOT, 'functions');
const handlerFiles = readdirSync(FUNCTIONS_DIR).filter((f) => f.endsWith('.ts'));

afterEach(() => vi.restoreAllMocks());

describe('the handlers in functions/', () => {
  it('are the stack\'s functions, one file each', () => {
    expect(handlerFiles.map((f) => f.replace(/\.ts$/, '')).sort()).toStrictEqual([...FUNCTION_NAMES].sort());
  });

  it('are at most 80 lines each', () => {
    const lines = Object.fromEntries(handlerFiles.map((f) => [f, readFileSync(join(FUNCTIONS_DIR, f), 'utf8').trimEnd().split('\n').length]));
    const over = Object.entries(lines).filter(([, n]) => n > 80);
    expect(over, JSON.stringify(lines)).toStrictEqual([]);
  });

  it('each export a handler built by the shared wrapper, and none assembles a middy chain of its own', async () => {
    for (const name of FUNCTION_NAMES) {
      const mod = (await import(functionEntry(name))) as { handler?: Record<symbol, unknown> };
      expect(mod.handler?.[SHARED_HANDLER], name).toBe(true);
      const source = readFileSync(functionEntry(name), 'utf8');
      expect(source, name).not.toMatch(/@middy\/core|@aws-lambda-powertools\/(logger|tracer|metrics)\/middleware/);
    }
  });
});

describe('lambdaHandler', () => {
  const context = lambdaContext({ functionName: 'sinew-test', requestId: 'req-handler-1' });

  it('gives the handler the logger\'s request context and flushes metrics after it, when it fails too', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0);
    const flush = vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
      metrics.clearMetrics();
      return metrics;
    });
    const ok = lambdaHandler(async (event: { n: number }) => {
      logger.info('working', { n: event.n });
      return event.n + 1;
    });
    expect(await ok({ n: 1 }, context)).toBe(2);
    const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'working');
    expect(line).toMatchObject({ function_request_id: 'req-handler-1', function_name: 'sinew-test', n: 1 });
    expect(flush).toHaveBeenCalledTimes(1);

    const failing = lambdaHandler(async () => {
      throw new Error('queue unavailable');
    });
    await expect(failing({}, context)).rejects.toThrow('queue unavailable');
    expect(flush).toHaveBeenCalledTimes(2);
  });

  it('maps a failure to the response onError gives, with the event that failed', async () => {
    vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
    const seen: unknown[] = [];
    const mapped = lambdaHandler(
      async (event: { path: string }): Promise<{ statusCode: number }> => {
        throw new Error(`no page at ${event.path}`);
      },
      {
        onError: (error, event) => {
          seen.push((error as Error).message, event.path);
          return { statusCode: 500 };
        },
      },
    );
    expect(await mapped({ path: '/x' }, context)).toStrictEqual({ statusCode: 500 });
    expect(seen).toStrictEqual(['no page at /x', '/x']);
  });
});
