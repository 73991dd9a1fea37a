import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from './observability.ts';

/** Marks a handler built by {@link lambdaHandler}, so a test can tell every function uses it. */
export const SHARED_HANDLER: unique symbol = Symbol.for('sinew.lambdaHandler');

export interface LambdaHandlerOptions<E, R> {
  /**
   * The response to a failure (an HTTP function answers a page; it logs what failed).
   * Without it the error is thrown, so Lambda retries it (SQS redelivery, the scheduler).
   */
  onError?: (error: unknown, event: E) => R | Promise<R>;
}

/**
 * Every function's middy chain, in one order: the logger first (each log line carries the
 * request id, cold start and function), then the tracer (the handler's X-Ray subsegment,
 * through functions/shared/observability.ts's tracer that records neither responses nor
 * error messages), then the metrics (flushed after the handler, errors included), around
 * the handler with its failures mapped by `onError` when it has one.
 */
export function lambdaHandler<E, R>(work: (event: E, context: Context) => Promise<R>, options: LambdaHandlerOptions<E, R> = {}) {
  const { onError } = options;
  const mapped = onError
    ? async (event: E, context: Context): Promise<R> => {
        try {
          return await work(event, context);
        } catch (error) {
          return onError(error, event);
        }
      }
    : work;
  const handler = middy<E, R>(mapped).use(injectLambdaContext(logger)).use(captureLambdaHandler(tracer)).use(logMetrics(metrics));
  return Object.assign(handler, { [SHARED_HANDLER]: true as const });
}
