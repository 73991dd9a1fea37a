import { Duration } from 'aws-cdk-lib';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { scheduleIntervalMinutes, type SinewConfig } from '#infra/config.ts';
import type { SinewData } from './data.ts';
import { SinewFunction } from './function.ts';
import type { JobQueue } from './job-queue.ts';
import type { SesSending } from './mail.ts';
import { DispatchSchedule } from './schedule.ts';
import type { SinewSecrets } from './secrets.ts';

/**
 * The sync worker's timeout. The worker reads its budget from the Lambda context
 * (`getRemainingTimeInMillis`), checkpoints and re-enqueues a continuation, so a longer
 * timeout only means fewer continuations; 5 minutes keeps a stuck provider call bounded.
 */
export const SYNC_WORKER_TIMEOUT = Duration.minutes(5);

export interface SyncServiceProps {
  readonly config: SinewConfig;
  readonly data: SinewData;
  readonly secrets: SinewSecrets;
  /** The FIFO sync queue (MessageGroupId = accountId), consumer timeout {@link SYNC_WORKER_TIMEOUT}. */
  readonly queue: JobQueue;
  /** The reconnect email is sent from here when an account turns `needs-reconnect`. */
  readonly mail: SesSending;
  /** Public base URL for the links in the reconnect email. */
  readonly baseUrl: string;
  /** Where schedule invocations that failed every retry go. */
  readonly scheduleDeadLetterQueue: IQueue;
}

/**
 * DESIGN section 1 "Sync": a schedule (default every 30 minutes) invokes the dispatcher,
 * which enqueues the accounts due on the FIFO queue; the worker syncs one mailbox per
 * invocation within its time budget. Reserved concurrency caps the fleet under the
 * providers' per-app quotas.
 */
export class SyncService extends Construct {
  readonly dispatcher: SinewFunction;
  readonly worker: SinewFunction;
  readonly schedule: DispatchSchedule;

  constructor(scope: Construct, id: string, props: SyncServiceProps) {
    super(scope, id);
    const { config, data, secrets, queue, mail } = props;

    this.dispatcher = new SinewFunction(this, 'Dispatcher', {
      name: 'sync-dispatcher',
      description: 'Sinew: enqueues the accounts due for sync',
      timeout: Duration.minutes(2),
      environment: {
        SINEW_TABLE_NAME: data.table.tableName,
        SINEW_SYNC_QUEUE_URL: queue.queue.queueUrl,
        SINEW_SYNC_INTERVAL_MINUTES: String(Math.min(1440, scheduleIntervalMinutes(config.syncSchedule))),
      },
    });
    // Reads who is due (gsi1) and sends jobs: no writes, no tokens, no secrets.
    data.grantTable(this.dispatcher, 'read');
    queue.grantSend(this.dispatcher);

    this.worker = new SinewFunction(this, 'Worker', {
      name: 'sync-worker',
      description: 'Sinew: syncs one mailbox within its time budget, then re-enqueues a continuation',
      timeout: SYNC_WORKER_TIMEOUT,
      memorySize: 1024,
      reservedConcurrentExecutions: config.syncConcurrency,
      environment: {
        SINEW_TABLE_NAME: data.table.tableName,
        SINEW_TOKEN_KEY_ARN: data.tokenKey.keyArn,
        SINEW_SYNC_QUEUE_URL: queue.queue.queueUrl,
        SINEW_GOOGLE_SECRET_ARN: secrets.googleClient.secretArn,
        SINEW_MICROSOFT_SECRET_ARN: secrets.microsoftClient.secretArn,
        SINEW_LINK_SECRET_ARN: secrets.linkSigning.secretArn,
        SINEW_BASE_URL: props.baseUrl,
        SINEW_SENDER: mail.senderAddress,
        SINEW_SES_CONFIGURATION_SET: mail.configurationSet.configurationSetName,
        SINEW_MS_AUTHORITY: config.msAuthority,
        SINEW_GRAPH_BASE_URL: config.graphBaseUrl,
      },
    });
    data.grantTable(this.worker, 'readwrite');
    data.grantTokenKey(this.worker, 'open');
    // MSAL rotates a Microsoft account's refresh token on refresh: the worker seals the new
    // cache (lib/providers/microsoft/token-cache.ts), under the same account context.
    data.grantTokenKey(this.worker, 'seal');
    queue.grantSend(this.worker); // continuations
    for (const secret of [secrets.googleClient, secrets.microsoftClient, secrets.linkSigning]) secret.grantRead(this.worker);
    mail.grantSend(this.worker);
    queue.consumeWith(this.worker, {
      // One mailbox per invocation: the whole time budget goes to it.
      batchSize: 1,
      // SQS never starts more pollers than the reserved concurrency (the minimum is 2).
      maxConcurrency: Math.max(2, config.syncConcurrency),
    });

    this.schedule = new DispatchSchedule(this, 'Schedule', {
      expression: config.syncSchedule,
      target: this.dispatcher,
      deadLetterQueue: props.scheduleDeadLetterQueue,
      description: 'Sinew: sync tick',
    });
  }
}
