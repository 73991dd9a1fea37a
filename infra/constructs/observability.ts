import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SinewFunction } from './function.ts';

/** The namespace of the Powertools metrics the handlers emit (functions/shared/observability.ts). */
export const METRICS_NAMESPACE = 'Sinew';
/** The `service` dimension those metrics carry (the shared Metrics' serviceName). */
export const METRICS_SERVICE = 'sinew';
const PERIOD = Duration.minutes(5);

export interface NamedQueue {
  readonly label: string;
  readonly queue: IQueue;
}

export interface ObservabilityProps {
  /** Every function: each gets an errors and a throttles alarm. */
  readonly functions: Record<string, SinewFunction>;
  /** Every dead-letter queue: each gets an alarm on its first visible message. */
  readonly deadLetterQueues: NamedQueue[];
  /** The work queues, for the dashboard's depth and age. */
  readonly workQueues: NamedQueue[];
  /** Alarmed when its longest run nears its timeout (it should stop on its budget first). */
  readonly syncWorker: SinewFunction;
  /**
   * Subscribed to the alarm topic (confirm the email SNS sends).
   * @default - no subscription; subscribe in the SNS console
   */
  readonly alarmEmail?: string;
  /**
   * Fraction of the sync worker's timeout its maximum duration may reach before alarming.
   * @default 0.95
   */
  readonly durationAlarmFraction?: number;
}

/**
 * DESIGN section 1 "Observability": an encrypted SNS topic for alarms, the alarms the
 * admin needs (a message in any dead-letter queue, any function error or throttle, the
 * sync worker running into its timeout) and one dashboard.
 */
export class Observability extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const key = new Key(this, 'TopicKey', {
      description: 'Sinew: encrypts the alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch alarms publish to an encrypted topic only if they may use its key.
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey');
    this.topic = new Topic(this, 'AlarmTopic', { displayName: 'Sinew alarms', masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);

    const alarm = (alarmId: string, metric: IMetric, threshold: number, description: string): void => {
      // treatMissingData NOT_BREACHING: a metric emitted only when something is wrong is absent when all is well.
      const created = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(action);
      this.alarms.push(created);
    };

    for (const { label, queue } of props.deadLetterQueues) {
      alarm(`${label}DeadLetters`, queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }), 1,
        `Sinew: a message reached the ${label} dead-letter queue. Read it in the SQS console, fix the cause, then redrive it.`);
    }
    for (const [label, fn] of Object.entries(props.functions)) {
      alarm(`${label}Errors`, fn.fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), 1,
        `Sinew: the ${label} function failed. Its log group has the error (Powertools JSON logs).`);
      alarm(`${label}Throttles`, fn.fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }), 1,
        `Sinew: the ${label} function was throttled (account concurrency or its reserved concurrency).`);
    }
    const timeoutMs = props.syncWorker.timeout.toMilliseconds();
    alarm('SyncWorkerNearTimeout', props.syncWorker.fn.metricDuration({ period: PERIOD, statistic: 'Maximum' }),
      Math.round(timeoutMs * (props.durationAlarmFraction ?? 0.95)),
      'Sinew: a sync run came close to its timeout; the worker should checkpoint and re-enqueue well before it.');

    // The sync worker counts a mailbox whose failed sync leaves it stale (failing for over
    // a day, not a revoked grant: that one emails its owner). The owner sees it in the
    // weekly email; the admin is told here, within the hour.
    alarm('MailboxSyncStale', new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: 'MailboxSyncStale',
      dimensionsMap: { service: METRICS_SERVICE },
      statistic: 'Sum',
      period: Duration.hours(1),
    }), 1,
    'Sinew: a mailbox has failed to sync for over a day (not a revoked grant). The sync worker\'s log names the account (accountId) and the error; its owner is shown the mailbox as stale.');

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    const fns = Object.entries(props.functions);
    const perFunction = (title: string, metric: (fn: SinewFunction) => Metric) =>
      new GraphWidget({ title, width: 8, left: fns.map(([label, fn]) => metric(fn).with({ label })) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: '# Sinew\nFunctions, queues and the `Sinew` metrics (messages synced, reports sent, provider throttles). Alarms go to the SNS topic in the stack outputs.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      perFunction('Invocations', (fn) => fn.fn.metricInvocations({ period: PERIOD, statistic: 'Sum' })),
      perFunction('Errors', (fn) => fn.fn.metricErrors({ period: PERIOD, statistic: 'Sum' })),
      perFunction('Throttles', (fn) => fn.fn.metricThrottles({ period: PERIOD, statistic: 'Sum' })),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Dead-letter queue depth',
        width: 8,
        left: props.deadLetterQueues.map(({ label, queue }) => queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label })),
      }),
      new GraphWidget({
        title: 'Queue age of oldest message (s)',
        width: 8,
        left: props.workQueues.map(({ label, queue }) => queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum', label })),
      }),
      new GraphWidget({
        title: 'Queue depth',
        width: 8,
        left: props.workQueues.map(({ label, queue }) => queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label })),
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Sync worker duration (ms)',
        width: 8,
        left: [
          props.syncWorker.fn.metricDuration({ period: PERIOD, statistic: 'p50', label: 'p50' }),
          props.syncWorker.fn.metricDuration({ period: PERIOD, statistic: 'Maximum', label: 'max' }),
        ],
      }),
      new GraphWidget({
        title: `Custom metrics (${METRICS_NAMESPACE})`,
        width: 16,
        left: [
          new MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},service}', 'Sum', 300)`,
            usingMetrics: {},
            label: '',
            period: PERIOD,
          }),
        ],
      }),
    );
  }
}
