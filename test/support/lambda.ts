import type { Context } from 'aws-lambda';

/**
 * A fake Lambda context for handler tests. `remainingMs` is asked at each call, so a
 * test can make it follow a virtual clock.
 */
export function lambdaContext(opts: { functionName: string; requestId?: string; memoryMb?: number; remainingMs?: () => number }): Context {
  const name = opts.functionName;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${name}`,
    memoryLimitInMB: String(opts.memoryMb ?? 512),
    awsRequestId: opts.requestId ?? 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: '2026/11/23/[$LATEST]abcdef',
    getRemainingTimeInMillis: opts.remainingMs ?? (() => 60_000),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
