import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { BRIEF_WORKER_TIMEOUT } from '#infra/constructs/brief.ts';
import type { SinewFunction } from '#infra/constructs/function.ts';
import type { SinewStack } from '#infra/sinew-stack.ts';
import { actionsOf, allows, logicalId, resourcesOf, statementsOfRole, synthSinew, type Statement } from './synth.ts';

/**
 * The meeting brief's part of the stack (DESIGN section 9, issue 12): the hourly schedule,
 * the queue with its DLQ and alarm, and the two functions' roles, least privilege; cdk-nag
 * AwsSolutions as errors throughout (synthesis would throw).
 */
let stack: SinewStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = synthSinew({ nag: true }));
}, 60_000);

const roleStatements = (fn: SinewFunction): Statement[] => statementsOfRole(template, logicalId(fn.role, stack));
const env = (fn: SinewFunction): Record<string, unknown> =>
  (resourcesOf(template, 'AWS::Lambda::Function')[logicalId(fn.fn, stack)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
// Allow statements: the team index's Deny (every function but the report worker, SinewData.grantTable) is tested in team-iam.test.ts.
const dynamoActions = (s: Statement[]) => s.filter((st) => st.Effect === 'Allow' && actionsOf(st).some((a) => a.startsWith('dynamodb:')));
const noteContext = { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['purpose', 'userId', 'noteId'] }, StringEquals: { 'kms:EncryptionContext:purpose': 'note' } };

describe('the brief in the stack', () => {
  it('ticks the dispatcher every hour on the hour, with retries and the event dead-letter queue', () => {
    const dispatcher = logicalId(stack.brief.dispatcher.fn, stack);
    const schedules = Object.values(resourcesOf(template, 'AWS::Scheduler::Schedule')).map((s) => s.Properties!);
    const brief = schedules.filter((s) => JSON.stringify((s.Target as { Arn: unknown }).Arn).includes(dispatcher));
    expect(brief).toHaveLength(1);
    expect(brief[0]).toMatchObject({
      ScheduleExpression: 'cron(0 * * * ? *)',
      Target: { RetryPolicy: { MaximumRetryAttempts: 3 }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack.eventFailures, stack), 'Arn'] } } },
    });
    expect(env(stack.brief.dispatcher)).toMatchObject({ SINEW_BRIEF_HOUR: '7', SINEW_BRIEF_QUEUE_URL: { Ref: logicalId(stack.brief.queue.queue, stack) } });
  });

  it('queues jobs on a standard queue like the report\'s, encrypted, with a DLQ after 5 receives and visibility 6x the worker', () => {
    const queues = resourcesOf(template, 'AWS::SQS::Queue');
    const queue = queues[logicalId(stack.brief.queue.queue, stack)]!.Properties!;
    const dlq = logicalId(stack.brief.queue.deadLetterQueue, stack);
    expect(queue.FifoQueue).toBeUndefined();
    expect(queue).toMatchObject({ SqsManagedSseEnabled: true, VisibilityTimeout: 6 * BRIEF_WORKER_TIMEOUT.toSeconds() });
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 5 });
    expect(queues[dlq]!.Properties!.MessageRetentionPeriod).toBe(14 * 86_400);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.brief.queue.queue, stack), 'Arn'] },
      FunctionName: { Ref: logicalId(stack.brief.worker.fn, stack) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('alarms on the brief DLQ\'s first message and on either function\'s errors and throttles', () => {
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!);
    const on = (metric: string, dimension: unknown) => alarms.filter((a) => a.MetricName === metric && JSON.stringify(a.Dimensions).includes(JSON.stringify(dimension)));
    expect(on('ApproximateNumberOfMessagesVisible', { 'Fn::GetAtt': [logicalId(stack.brief.queue.deadLetterQueue, stack), 'QueueName'] })).toHaveLength(1);
    for (const fn of [stack.brief.dispatcher, stack.brief.worker]) {
      expect(on('Errors', { Ref: logicalId(fn.fn, stack) })).toHaveLength(1);
      expect(on('Throttles', { Ref: logicalId(fn.fn, stack) })).toHaveLength(1);
    }
  });

  it('keeps the dispatcher to listing (index), reading profiles and calendars, and sending jobs: no write, no key, no secret, no email', () => {
    const s = roleStatements(stack.brief.dispatcher);
    const dynamo = dynamoActions(s);
    expect(dynamo.flatMap(actionsOf).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(JSON.stringify(dynamo[0]!.Resource)).toContain('/index/gsi1');
    const actions = s.flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('secretsmanager:') || a.startsWith('ses:'))).toEqual([]);
    expect(allows(s, 'kms:Decrypt', logicalId(stack.data.tokenKey, stack))).toHaveLength(0);
    expect(allows(s, 'sqs:SendMessage', logicalId(stack.brief.queue.queue, stack))).toHaveLength(1);
    expect(actions.filter((a) => a.startsWith('sqs:')).every((a) => a.startsWith('sqs:SendMessage') || a === 'sqs:GetQueueAttributes' || a === 'sqs:GetQueueUrl')).toBe(true);
  });

  it('lets the worker read the partition and write only its send claim, open notes (never tokens, never seal), read the link key and send as the sender', () => {
    const s = roleStatements(stack.brief.worker);
    const dynamo = dynamoActions(s);
    expect(dynamo.flatMap(actionsOf).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    for (const st of dynamo) expect(st.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack.data.table, stack), 'Arn'] });
    const tokenKey = logicalId(stack.data.tokenKey, stack);
    const opens = allows(s, 'kms:Decrypt', tokenKey);
    expect(opens).toHaveLength(1);
    expect(opens[0]!.Condition).toMatchObject(noteContext);
    expect(allows(s, 'kms:GenerateDataKey', tokenKey)).toHaveLength(0);
    expect(env(stack.brief.worker).SINEW_TOKEN_KEY_ARN).toEqual({ 'Fn::GetAtt': [tokenKey, 'Arn'] });
    const secrets = s.filter((st) => actionsOf(st).includes('secretsmanager:GetSecretValue'));
    expect(secrets.map((st) => JSON.stringify(st.Resource))).toEqual([JSON.stringify({ Ref: logicalId(stack.secrets.linkSigning, stack) })]);
    const ses = s.filter((st) => actionsOf(st).includes('ses:SendEmail'));
    expect(ses).toHaveLength(1);
    expect(ses[0]!.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'reports@example.com' } });
    expect(s.flatMap(actionsOf).filter((a) => a.startsWith('sqs:SendMessage'))).toEqual([]);
  });

  it('lets only the notes page (links) seal notes, and only it and the brief and report workers open them, each under a note\'s context', () => {
    const functions: Record<string, SinewFunction> = {
      connect: stack.connect.connect, links: stack.connect.links, 'sync-dispatcher': stack.sync.dispatcher, 'sync-worker': stack.sync.worker,
      'report-dispatcher': stack.report.dispatcher, 'report-worker': stack.report.worker, 'ses-events': stack.report.sesEvents,
      'brief-dispatcher': stack.brief.dispatcher, 'brief-worker': stack.brief.worker,
    };
    const underNoteContext = (st: Statement) => JSON.stringify(st.Condition ?? {}).includes('noteId');
    for (const [name, fn] of Object.entries(functions)) {
      const s = roleStatements(fn);
      const seals = allows(s, 'kms:GenerateDataKey', logicalId(stack.data.tokenKey, stack)).filter(underNoteContext);
      const opens = allows(s, 'kms:Decrypt', logicalId(stack.data.tokenKey, stack)).filter(underNoteContext);
      expect(seals.length > 0, name).toBe(name === 'links');
      // The report worker opens the newest note beside each action of the weekly email.
      expect(opens.length > 0, name).toBe(name === 'links' || name === 'brief-worker' || name === 'report-worker');
      for (const st of [...seals, ...opens]) expect(st.Condition, name).toMatchObject(noteContext);
    }
  });
});

describe('the brief\'s context', () => {
  const { stack: custom, template: t } = synthSinew({ nag: true, context: { briefHour: '6', syncSchedule: 'rate(12 hours)' } });

  it('caps the brief workers and tells each the SES rate, as the report\'s: the brief hour is a wave too', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack.brief.worker.fn, stack) },
      BatchSize: 5,
      ScalingConfig: { MaximumConcurrency: 42 },
    });
    expect(env(stack.brief.worker).SINEW_SES_SEND_RATE).toBe('14');
  });

  it('passes briefHour to the dispatcher', () => {
    const vars = (resourcesOf(t, 'AWS::Lambda::Function')[logicalId(custom.brief.dispatcher.fn, custom)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(vars.SINEW_BRIEF_HOUR).toBe('6');
  });

  it('warns when the sync schedule is too slow for a meeting booked the evening before to reach the next brief, and not by default', () => {
    Annotations.fromStack(custom).hasWarning('/Sinew', Match.stringLikeRegexp('may miss the next morning'));
    Annotations.fromStack(stack).hasNoWarning('/Sinew', Match.stringLikeRegexp('may miss the next morning'));
  });

  it('refuses a brief hour that is not one, naming the key', () => {
    expect(() => synthSinew({ context: { briefHour: '25' } })).toThrow(/CDK context "briefHour"/);
  });
});
