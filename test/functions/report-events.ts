import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext as fakeContext } from '#test/support/lambda.ts';

/** A fake Lambda context with `remainingMs` left. */
export function lambdaContext(requestId: string, remainingMs = 60_000): Context {
  return fakeContext({ functionName: 'sinew-report-worker', requestId, remainingMs: () => remainingMs });
}

/** An SQS (standard queue) record as Lambda delivers it. */
export function sqsRecord(messageId: string, body: unknown, receiveCount = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}-${receiveCount}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1795417200000',
      SenderId: 'AROAEXAMPLE:sinew-report-dispatcher',
      ApproximateFirstReceiveTimestamp: '1795417200100',
    },
    messageAttributes: {},
    md5OfBody: 'd41d8cd98f00b204e9800998ecf8427e',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:sinew-reports',
    awsRegion: 'eu-west-1',
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}
