import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SinewFunction } from './function.ts';
import { JobQueue } from './job-queue.ts';
import { mailWorkerEnvironment, wireMailWorker, type MailServiceProps } from './mail-worker.ts';
import { DispatchSchedule } from './schedule.ts';

/** Every hour on the hour (UTC): the dispatcher picks the time zones where it is now `briefHour`. */
export const BRIEF_SCHEDULE = 'cron(0 * * * ? *)';
export const BRIEF_WORKER_TIMEOUT = Duration.minutes(2);
/**
 * The dispatcher reads the calendar of each person of the zones at the hour (one Query of
 * their partition, a few at once) before it enqueues them: more time than the report's.
 */
export const BRIEF_DISPATCHER_TIMEOUT = Duration.minutes(5);

/** The brief's service is built from what every mailing service is (see `MailServiceProps`). */
export type BriefServiceProps = MailServiceProps;

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
    const { config, data } = props;
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
      environment: mailWorkerEnvironment(props),
    });
    // Reads the person's profile, accounts, items and notes (GetItem, Query of the
    // partition), and writes only its send claim (PutItem, DeleteItem on release). With the
    // team view on it may also Query the team index (the attendees' colleagues), nothing else there.
    data.grantTable(this.worker, { actions: ['GetItem', 'Query', 'PutItem', 'DeleteItem'] }, config.team ? 'read' : 'none');
    // The brief hour is a wave too, as Monday's reports: capped and paced the same way.
    wireMailWorker(props, this.queue, this.worker);

    this.schedule = new DispatchSchedule(this, 'Schedule', {
      expression: BRIEF_SCHEDULE,
      target: this.dispatcher,
      deadLetterQueue: props.eventDeadLetterQueue,
      description: 'Sinew: hourly meeting brief tick',
    });
  }
}
