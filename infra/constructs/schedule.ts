import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SinewFunction } from './function.ts';

export interface DispatchScheduleProps {
  /** An EventBridge Scheduler expression: `rate(...)` or `cron(...)` (UTC). */
  readonly expression: string;
  /** The dispatcher it invokes. */
  readonly target: SinewFunction;
  /** Where invocations that failed every retry go. */
  readonly deadLetterQueue: IQueue;
  readonly description: string;
  /**
   * Retries of a failed invocation (a dispatcher run is idempotent per tick).
   * @default 3
   */
  readonly retryAttempts?: number;
  /**
   * A tick older than this is dropped (to the dead-letter queue) rather than run late:
   * the next tick covers it.
   * @default Duration.minutes(15)
   */
  readonly maxEventAge?: Duration;
}

/**
 * The event a dispatcher receives: the shape of an EventBridge "Scheduled Event"
 * (Powertools' EventBridgeSchema parses it), filled from Scheduler's context, so `time`
 * is the tick the run is for (stable across retries) and `id` the execution.
 */
export const SCHEDULED_EVENT_INPUT = {
  version: '0',
  id: ContextAttribute.executionId,
  'detail-type': 'Scheduled Event',
  source: 'aws.scheduler',
  account: Aws.ACCOUNT_ID,
  time: ContextAttribute.scheduledTime,
  region: Aws.REGION,
  resources: [ContextAttribute.scheduleArn],
  detail: { attempt: ContextAttribute.attemptNumber },
};

/**
 * An EventBridge Scheduler schedule that invokes a dispatcher with retries and a
 * dead-letter queue (the Scheduler's role may invoke only that function and send only to
 * that queue).
 */
export class DispatchSchedule extends Construct {
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: DispatchScheduleProps) {
    super(scope, id);
    // A role per schedule (instead of the shared one CDK would make), so its one
    // acknowledgement below covers exactly this function.
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
    this.schedule = new Schedule(this, 'Schedule', {
      description: props.description,
      schedule: ScheduleExpression.expression(props.expression),
      target: new LambdaInvoke(props.target.fn, {
        input: ScheduleTargetInput.fromObject(SCHEDULED_EVENT_INPUT),
        retryAttempts: props.retryAttempts ?? 3,
        maxEventAge: props.maxEventAge ?? Duration.minutes(15),
        deadLetterQueue: props.deadLetterQueue,
        role,
      }),
    });
    const fnLogicalId = Stack.of(this).getLogicalId(props.target.fn.node.defaultChild as CfnFunction);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
      reason: 'lambda:InvokeFunction on the dispatcher and its versions/aliases (CDK grantInvoke form): one function, no other resource.',
    });
  }
}
