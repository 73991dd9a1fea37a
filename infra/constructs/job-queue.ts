import { Duration, Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SinewFunction } from './function.ts';

/** Lambda's advice for SQS event sources: visibility at least 6 times the consumer's timeout. */
export const VISIBILITY_FACTOR = 6;
/** How long a failed message waits in a dead-letter queue for the admin (the SQS maximum). */
export const DLQ_RETENTION = Duration.days(14);

export interface JobQueueProps {
  /**
   * A FIFO queue (with a FIFO dead-letter queue). The sender sets MessageGroupId and
   * MessageDeduplicationId itself, so content-based deduplication stays off.
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * The timeout of the function that consumes the queue: visibility is 6 times it, so a
   * message is never handed to a second worker while the first may still run.
   */
  readonly consumerTimeout: Duration;
  /**
   * Deliveries before a message moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
}

export interface ConsumeOptions {
  /** Messages per invocation. */
  readonly batchSize: number;
  /**
   * Most concurrent invocations the event source starts (2 to 1000); set it to the
   * function's reserved concurrency so SQS is not throttled into burning receive counts.
   * @default - no limit
   */
  readonly maxConcurrency?: number;
}

/**
 * A job queue of DESIGN section 1 with its dead-letter queue: both encrypted (SSE-SQS),
 * both refusing plain HTTP, visibility derived from the consumer's timeout, and consumers
 * wired with partial batch responses so one bad message never fails its neighbours.
 */
export class JobQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: JobQueueProps) {
    super(scope, id);
    const fifo = props.fifo ?? false;
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      ...(fifo ? { fifo: true } : {}),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
    });
    this.queue = new Queue(this, 'Queue', {
      ...(fifo ? { fifo: true, contentBasedDeduplication: false } : {}),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_FACTOR),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
  }

  /** Lets `grantee` send jobs. */
  grantSend(grantee: IGrantable): void {
    this.queue.grantSendMessages(grantee);
  }

  /** Makes `consumer` the queue's worker (receive and delete are granted by the event source). */
  consumeWith(consumer: SinewFunction, options: ConsumeOptions): void {
    consumer.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: options.batchSize,
        reportBatchItemFailures: true,
        ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
      }),
    );
  }
}

/**
 * A standard queue that catches what EventBridge Scheduler or an EventBridge rule failed
 * to deliver after its retries: the dead-letter queue of an event source, not of a queue.
 */
export function eventDeadLetterQueue(scope: Construct, id: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: DLQ_RETENTION,
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself a dead-letter queue (of EventBridge Scheduler schedules or an EventBridge rule target), and it has an alarm on its depth.',
  });
  return queue;
}
