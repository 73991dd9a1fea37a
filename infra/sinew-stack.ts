import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EXAMPLE_SENDER, readSinewConfig, scheduleIntervalMinutes, type SinewConfig } from './config.ts';
import { BriefService } from '#infra/constructs/brief.ts';
import { ConnectService, type ConnectServiceProps } from '#infra/constructs/connect.ts';
import { SinewData } from '#infra/constructs/data.ts';
import { eventDeadLetterQueue, JobQueue } from '#infra/constructs/job-queue.ts';
import { SesSending } from '#infra/constructs/mail.ts';
import { Observability } from '#infra/constructs/observability.ts';
import { ReportService } from '#infra/constructs/report.ts';
import { SinewSecrets } from '#infra/constructs/secrets.ts';
import { SYNC_WORKER_TIMEOUT, SyncService } from '#infra/constructs/sync.ts';

/**
 * The longest gap between sync ticks that still shows a meeting booked at 22:00 in the
 * 07:00 brief (nine hours later, less a sync's own run): longer, and synth warns.
 */
export const MAX_SYNC_GAP_FOR_BRIEFS_MINUTES = 8 * 60;

export interface SinewStackProps extends StackProps {
  /**
   * The settings, already validated.
   * @default - read from CDK context and validated (infra/config.ts)
   */
  readonly config?: SinewConfig;
  /**
   * Per-route throttles of the HTTP API over the defaults; one-click unsubscribe must stay the highest.
   * @default DEFAULT_ROUTE_THROTTLES (infra/constructs/connect.ts)
   */
  readonly routeThrottles?: ConnectServiceProps['routeThrottles'];
}

/**
 * The whole Sinew service in one stack, reading like DESIGN section 1: data and secrets,
 * connect (HTTP API), sync (schedule, dispatcher, FIFO queue, worker), report (schedule,
 * dispatcher, queue, worker, SES), brief (schedule, dispatcher, queue, worker, SES),
 * observability (alarms, dashboard).
 */
export class SinewStack extends Stack {
  readonly config: SinewConfig;
  readonly data: SinewData;
  readonly secrets: SinewSecrets;
  readonly mail: SesSending;
  /** The FIFO sync queue (MessageGroupId = accountId) and its FIFO dead-letter queue. */
  readonly syncQueue: JobQueue;
  /** Dead letters of the schedules and of the SES event rule. */
  readonly eventFailures: Queue;
  readonly connect: ConnectService;
  readonly sync: SyncService;
  readonly report: ReportService;
  readonly brief: BriefService;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: SinewStackProps = {}) {
    super(scope, id, props);
    const config = (this.config = props.config ?? readSinewConfig(this));
    if (config.usesExampleSender) {
      Annotations.of(this).addWarningV2(
        'sinew:example-sender',
        `senderAddress is still the example ${EXAMPLE_SENDER}: SES cannot verify it. Deploy with -c senderAddress=<your address> (README, Deploying).`,
      );
    }

    this.data = new SinewData(this, 'Data');
    this.secrets = new SinewSecrets(this, 'Secrets');
    this.mail = new SesSending(this, 'Mail', { senderAddress: config.senderAddress, ...(config.domain ? { domain: config.domain } : {}) });
    const eventFailures = (this.eventFailures = eventDeadLetterQueue(this, 'EventFailures'));

    const syncQueue = (this.syncQueue = new JobQueue(this, 'SyncQueue', { fifo: true, consumerTimeout: SYNC_WORKER_TIMEOUT }));
    this.connect = new ConnectService(this, 'Connect', {
      config,
      data: this.data,
      secrets: this.secrets,
      syncQueue,
      mail: this.mail,
      ...(props.routeThrottles ? { routeThrottles: props.routeThrottles } : {}),
    });
    const baseUrl = this.connect.baseUrl;
    this.sync = new SyncService(this, 'Sync', {
      config,
      data: this.data,
      secrets: this.secrets,
      queue: syncQueue,
      mail: this.mail,
      baseUrl,
      scheduleDeadLetterQueue: eventFailures,
    });
    // The two services that mail people from a queue are built from the same parts.
    const mailing = { config, data: this.data, secrets: this.secrets, mail: this.mail, baseUrl, eventDeadLetterQueue: eventFailures };
    this.report = new ReportService(this, 'Report', mailing);
    this.brief = new BriefService(this, 'Brief', mailing);
    if (scheduleIntervalMinutes(config.syncSchedule) > MAX_SYNC_GAP_FOR_BRIEFS_MINUTES) {
      Annotations.of(this).addWarningV2(
        'sinew:brief-freshness',
        `syncSchedule ${config.syncSchedule} syncs less often than every ${MAX_SYNC_GAP_FOR_BRIEFS_MINUTES / 60} hours: a meeting booked the evening before may miss the next morning's brief (README, Meeting briefs).`,
      );
    }

    this.observability = new Observability(this, 'Observability', {
      functions: {
        Connect: this.connect.connect,
        Links: this.connect.links,
        SyncDispatcher: this.sync.dispatcher,
        SyncWorker: this.sync.worker,
        ReportDispatcher: this.report.dispatcher,
        ReportWorker: this.report.worker,
        SesEvents: this.report.sesEvents,
        BriefDispatcher: this.brief.dispatcher,
        BriefWorker: this.brief.worker,
      },
      deadLetterQueues: [
        { label: 'Sync', queue: syncQueue.deadLetterQueue },
        { label: 'Report', queue: this.report.queue.deadLetterQueue },
        { label: 'Brief', queue: this.brief.queue.deadLetterQueue },
        { label: 'Events', queue: eventFailures },
      ],
      workQueues: [
        { label: 'Sync', queue: syncQueue.queue },
        { label: 'Report', queue: this.report.queue.queue },
        { label: 'Brief', queue: this.brief.queue.queue },
      ],
      syncWorker: this.sync.worker,
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    });

    this.outputs(baseUrl);
  }

  private outputs(baseUrl: string): void {
    new CfnOutput(this, 'ConnectPageUrl', { value: `${baseUrl}/`, description: 'Send people here to connect a mailbox' });
    new CfnOutput(this, 'GoogleRedirectUri', {
      value: `${baseUrl}/oauth/google/callback`,
      description: 'Authorized redirect URI of the Google OAuth client (Google Cloud console > Credentials)',
    });
    new CfnOutput(this, 'MicrosoftRedirectUri', {
      value: `${baseUrl}/oauth/microsoft/callback`,
      description: 'Web redirect URI of the Microsoft Entra app registration',
    });
    new CfnOutput(this, 'GoogleClientSecretArn', {
      value: this.secrets.googleClient.secretArn,
      description: 'Fill with {"clientId":"...","clientSecret":"..."} of the Google OAuth client',
    });
    new CfnOutput(this, 'MicrosoftClientSecretArn', {
      value: this.secrets.microsoftClient.secretArn,
      description: 'Fill with {"clientId":"...","clientSecret":"..."} of the Microsoft app registration',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.topic.topicArn, description: 'Subscribe to get alarms' });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName, description: 'CloudWatch dashboard' });
    new CfnOutput(this, 'SyncDispatcherName', { value: this.sync.dispatcher.fn.functionName, description: 'Invoke to run a sync tick now' });
    new CfnOutput(this, 'ReportDispatcherName', { value: this.report.dispatcher.fn.functionName, description: 'Invoke to run a report tick now' });
    new CfnOutput(this, 'BriefDispatcherName', { value: this.brief.dispatcher.fn.functionName, description: 'Invoke to run a brief tick now' });
    if (this.connect.domainName) {
      new CfnOutput(this, 'CustomDomainTarget', {
        value: this.connect.domainName.regionalDomainName,
        description: `CNAME ${this.config.domain} to this (after validating the ACM certificate's DNS record)`,
      });
    }
  }
}
