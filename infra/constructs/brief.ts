import { Duration } from 'aws-cdk-lib';
import { reportWorkerConcurrency } from '#lib/mail/pace.ts';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SinewConfig } from '#infra/config.ts';
import type { SinewData } from './data.ts';
import { SinewFunction } from './function.ts';
import { JobQueue } from './job-queue.ts';
import type { SesSending } from './mail.ts';
import { DispatchSchedule } from './schedule.ts';
import type { SinewSecrets } from './secrets.ts';

/** Every hour on the hour (UTC): the dispatcher picks the time zones where it is now `briefHour`. */
export const BRIEF_SCHEDULE = 'cron(0 * * * ? *)';
export const BRIEF_WORKER_TIMEOUT = Duration.minutes(2);
/**
 * The dispatcher reads the calendar of each person of the zones at the hour (one Query of
 * their partition, a few at once) before it enqueues them: more time than the report's.
 */
export const BRIEF_DISPATCHER_TIMEOUT = Duration.minutes(5);

export interface BriefServiceProps {
  readonly config: SinewConfig;
  readonly data: SinewData;
  readonly secrets: SinewSecrets;
  readonly mail: SesSending;
  /** Public base URL for the signed links in the email (notes, briefs off, unsubscribe). */
  readonly baseUrl: string;
  /** Where schedule invocations that failed every retry go. */
  readonly eventDeadLetterQueue: IQueue;
}

/**
 * DESIGN section 9 "Delivery": an hourly schedule invokes the dispatcher, which enqueues
 * the people whose local time is `briefHour` and who have a briefed meeting that day; the
 * worker builds the brief with the person's notes, renders and sends it with SES v2, one
 * per person and local day. A standard queue like the report's: the worker's send claim,
 * not the queue, makes a duplicate harmless.
 */
export class BriefService extends Construct {
  readonly queue: JobQueue;
  readonly dispatcher: SinewFunction;
  readonly worker: SinewFunction;
  readonly schedule: DispatchSchedule;

  constructor(scope: Construct, id: string, props: BriefServiceProps) {
    super(scope, id);
    const { config, data, secrets, mail } = props;
    this.queue = new JobQueue(this, 'Queue', { consumerTimeout: BRIEF_WORKER_TIMEOUT });

    this.dispatcher = new SinewFunction(this, 'Dispatcher', {
      name: 'brief-dispatcher',
      description: 'Sinew: enqueues the people whose meeting brief is due this hour',
      timeout: BRIEF_DISPATCHER_TIMEOUT,
      memorySize: 1024,
      environment: {
        SINEW_TABLE_NAME: data.table.tableName,
        SINEW_BRIEF_QUEUE_URL: this.queue.queue.queueUrl,
        SINEW_BRIEF_HOUR: String(config.briefHour),
      },
    });
    // Lists the unpaused people of a zone (gsi1 Query), reads each profile (GetItem) and
    // calendar (Query of their partition), sends jobs: no write, no key, no secret.
    data.grantTable(this.dispatcher, { actions: ['GetItem', 'Query'], index: true });
    this.queue.grantSend(this.dispatcher);

    this.worker = new SinewFunction(this, 'Worker', {
      name: 'brief-worker',
      description: 'Sinew: builds, renders and sends one meeting brief per person and day',
      timeout: BRIEF_WORKER_TIMEOUT,
      memorySize: 1024,
      environment: {
        SINEW_TABLE_NAME: data.table.tableName,
        // Notes are sealed with the token key under their own context (opened, never tokens).
        SINEW_TOKEN_KEY_ARN: data.tokenKey.keyArn,
        SINEW_LINK_SECRET_ARN: secrets.linkSigning.secretArn,
        SINEW_BASE_URL: props.baseUrl,
        SINEW_SENDER: mail.senderAddress,
        SINEW_SES_CONFIGURATION_SET: mail.configurationSet.configurationSetName,
        // Each worker spaces its sends so the capped workers together keep to the account's rate.
        SINEW_SES_SEND_RATE: String(config.sesSendRate),
        ...(config.team ? { SINEW_TEAM: 'on' } : {}),
      },
    });
    // Reads the person's profile, accounts, items and notes (GetItem, Query of the
    // partition), and writes only its send claim (PutItem, DeleteItem on release). With the
    // team view on it may also Query the team index (the attendees' colleagues), nothing else there.
    data.grantTable(this.worker, { actions: ['GetItem', 'Query', 'PutItem', 'DeleteItem'] }, config.team ? 'read' : 'none');
    data.grantNoteKey(this.worker, 'open');
    secrets.linkSigning.grantRead(this.worker);
    mail.grantSend(this.worker);
    // The brief hour's wave within SES's sending rate, as the report worker's (lib/mail/pace.ts).
    this.queue.consumeWith(this.worker, { batchSize: 5, maxConcurrency: reportWorkerConcurrency(config.sesSendRate) });

    this.schedule = new DispatchSchedule(this, 'Schedule', {
      expression: BRIEF_SCHEDULE,
      target: this.dispatcher,
      deadLetterQueue: props.eventDeadLetterQueue,
      description: 'Sinew: hourly meeting brief tick',
    });
  }
}
