import { Duration } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { SinewFunction } from './function.ts';
import { JobQueue } from './job-queue.ts';
import { mailWorkerEnvironment, wireMailWorker, type MailServiceProps } from './mail-worker.ts';
import { DispatchSchedule } from './schedule.ts';

/** Every hour on the hour (UTC): the dispatcher picks the time zones where it is now `reportHour` on Monday. */
export const REPORT_SCHEDULE = 'cron(0 * * * ? *)';
export const REPORT_WORKER_TIMEOUT = Duration.minutes(2);

/** The weekly report's service is built from what every mailing service is (see `MailServiceProps`). */
export type ReportServiceProps = MailServiceProps;

/**
 * DESIGN section 1 "Report": an hourly schedule invokes the dispatcher, which enqueues the
 * people whose local Monday `reportHour` it is; the worker builds, renders and sends each
 * report with SES v2; bounces and complaints come back through EventBridge to ses-events.
 */
export class ReportService extends Construct {
  readonly queue: JobQueue;
  readonly dispatcher: SinewFunction;
  readonly worker: SinewFunction;
  readonly sesEvents: SinewFunction;
  readonly schedule: DispatchSchedule;
  readonly sesEventRule: Rule;

  constructor(scope: Construct, id: string, props: ReportServiceProps) {
    super(scope, id);
    const { config, data, mail } = props;
    this.queue = new JobQueue(this, 'Queue', { consumerTimeout: REPORT_WORKER_TIMEOUT });

    this.dispatcher = new SinewFunction(this, 'Dispatcher', {
      name: 'report-dispatcher',
      description: 'Sinew: enqueues the people whose weekly report is due this hour',
      timeout: Duration.minutes(2),
      environment: {
        SINEW_TABLE_NAME: data.table.tableName,
        SINEW_REPORT_QUEUE_URL: this.queue.queue.queueUrl,
        SINEW_REPORT_HOUR: String(config.reportHour),
      },
    });
    data.grantTable(this.dispatcher, 'read');
    this.queue.grantSend(this.dispatcher);

    this.worker = new SinewFunction(this, 'Worker', {
      name: 'report-worker',
      description: 'Sinew: builds, renders and sends one weekly report per person',
      timeout: REPORT_WORKER_TIMEOUT,
      memorySize: 1024,
      environment: { ...mailWorkerEnvironment(props), SINEW_REPORT_HOUR: String(config.reportHour) },
    });
    // Reads items, stores the week's report and its send claim.
    // The only writer of the team index (DESIGN section 10): each sharer's own job publishes.
    data.grantTable(this.worker, 'readwrite', 'publish');
    wireMailWorker(props, this.queue, this.worker);

    this.sesEvents = new SinewFunction(this, 'SesEvents', {
      name: 'ses-events',
      description: 'Sinew: stops reports to addresses that bounced or complained',
      timeout: Duration.seconds(30),
      environment: { SINEW_TABLE_NAME: data.table.tableName },
    });
    data.grantTable(this.sesEvents, 'readwrite');
    this.sesEventRule = new Rule(this, 'SesEventRule', {
      description: 'Sinew: SES bounces and complaints of the configuration set',
      eventPattern: mail.bounceAndComplaintPattern(),
      targets: [
        new LambdaFunction(this.sesEvents.fn, {
          deadLetterQueue: props.eventDeadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });

    this.schedule = new DispatchSchedule(this, 'Schedule', {
      expression: REPORT_SCHEDULE,
      target: this.dispatcher,
      deadLetterQueue: props.eventDeadLetterQueue,
      description: 'Sinew: hourly report tick',
    });
  }
}
