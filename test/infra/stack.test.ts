import { beforeAll, describe, expect, it } from 'vitest';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { lambdaEnvSchema } from '#functions/shared/env.ts';
import { metrics } from '#functions/shared/observability.ts';
import { FUNCTION_NAMES } from '#infra/bundling.ts';
import type { SinewFunction } from '#infra/constructs/function.ts';
import { SinewStack } from '#infra/sinew-stack.ts';
import { tableDefinition, TABLE_KEYS } from '#lib/store/dynamodb/schema.ts';
import { actionsOf, allows, BASE_CONTEXT, logicalId, resourcesOf, statementsOfRole, synthSinew, type Statement } from './synth.ts';

let stack: SinewStack;
let template: Template;

beforeAll(() => {
  // cdk-nag AwsSolutions as errors: synthesis throws on any unacknowledged finding.
  // (CDK's CloudFormation rules run once, in bundles.test.ts, with real bundling.)
  ({ stack, template } = synthSinew({ nag: true }));
}, 60_000);

const fnId = (fn: SinewFunction) => logicalId(fn.fn, stack);
const roleStatements = (fn: SinewFunction): Statement[] => statementsOfRole(template, logicalId(fn.role, stack));
const allFunctions = (): Record<string, SinewFunction> => ({
  connect: stack.connect.connect,
  links: stack.connect.links,
  'sync-dispatcher': stack.sync.dispatcher,
  'sync-worker': stack.sync.worker,
  'report-dispatcher': stack.report.dispatcher,
  'report-worker': stack.report.worker,
  'ses-events': stack.report.sesEvents,
  'brief-dispatcher': stack.brief.dispatcher,
  'brief-worker': stack.brief.worker,
});

describe('SinewStack', () => {
  it('synthesizes with no unsuppressed cdk-nag AwsSolutions finding and every Lambda entry deployed', () => {
    expect(Object.keys(resourcesOf(template, 'AWS::Lambda::Function'))).toHaveLength(FUNCTION_NAMES.length);
  });

  it('fails synthesis when a resource breaks an AwsSolutions rule (cdk-nag errors fail the tests)', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const bad = new Stack(app, 'Bad');
    new Queue(bad, 'Unencrypted'); // AwsSolutions-SQS3 (no DLQ) and SQS4 (no SSL enforcement)
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });

  it('declares the table exactly as lib/store/dynamodb/schema.ts, with PITR, its own CMK, TTL and retention', () => {
    const def = tableDefinition('x');
    const tableKey = logicalId(stack.data.tableKey, stack);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: def.KeySchema,
        AttributeDefinitions: Match.arrayWith(def.AttributeDefinitions!.map((a) => Match.objectEquals({ ...a }))),
        GlobalSecondaryIndexes: [
          { IndexName: TABLE_KEYS.gsi1.indexName, KeySchema: def.GlobalSecondaryIndexes![0]!.KeySchema, Projection: { ProjectionType: 'KEYS_ONLY' } },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [tableKey, 'Arn'] } },
        TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
    const table = Object.values(resourcesOf(template, 'AWS::DynamoDB::Table'))[0]!;
    expect((table.Properties!.AttributeDefinitions as unknown[]).length).toBe(def.AttributeDefinitions!.length);
  });

  it('rotates every KMS key', () => {
    const keys = Object.values(resourcesOf(template, 'AWS::KMS::Key'));
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const key of keys) expect(key.Properties!.EnableKeyRotation).toBe(true);
  });

  it('makes the sync queue FIFO with sender-set deduplication and a FIFO DLQ; every queue encrypted, TLS-only, with visibility >= 6x its consumer', () => {
    const queues = resourcesOf(template, 'AWS::SQS::Queue');
    const sync = queues[logicalId(stack.syncQueue.queue, stack)]!;
    expect(sync.Properties).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false, VisibilityTimeout: 6 * 300 });
    const dlqId = logicalId(stack.syncQueue.deadLetterQueue, stack);
    expect(sync.Properties!.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 });
    expect(queues[dlqId]!.Properties!.FifoQueue).toBe(true);
    expect(queues[logicalId(stack.report.queue.queue, stack)]!.Properties!.VisibilityTimeout).toBe(6 * 120);
    for (const queue of Object.values(queues)) expect(queue.Properties!.SqsManagedSseEnabled).toBe(true);
    const policies = Object.values(resourcesOf(template, 'AWS::SQS::QueuePolicy'));
    const tlsOnly = (id: string) =>
      policies.some((p) =>
        JSON.stringify(p.Properties!.Queues).includes(id) &&
        JSON.stringify(p.Properties!.PolicyDocument).includes('"aws:SecureTransport":"false"'),
      );
    for (const id of Object.keys(queues)) expect(tlsOnly(id), id).toBe(true);
  });

  it('consumes the three work queues with partial batch responses', () => {
    const mappings = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(3);
    for (const m of mappings) expect(m.Properties!.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('caps the report workers to the SES sending rate (default 14/s: 42 at once) and tells each worker the rate to pace its sends', () => {
    const worker = fnId(stack.report.worker);
    const mapping = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')).find((m) => JSON.stringify(m.Properties!.FunctionName).includes(worker))!;
    expect(mapping.Properties).toMatchObject({ BatchSize: 5, ScalingConfig: { MaximumConcurrency: 42 } });
    const env = (resourcesOf(template, 'AWS::Lambda::Function')[worker]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.SINEW_SES_SEND_RATE).toBe('14');
  });

  it('runs every function on arm64, Node.js 24, traced, with its own log group and Powertools name', () => {
    for (const [name, fn] of Object.entries(allFunctions())) {
      const props = resourcesOf(template, 'AWS::Lambda::Function')[fnId(fn)]!.Properties!;
      expect(props).toMatchObject({ Architectures: ['arm64'], Runtime: 'nodejs24.x', Handler: 'index.handler', TracingConfig: { Mode: 'Active' } });
      expect(props.LoggingConfig).toEqual({ LogGroup: { Ref: logicalId(fn.logGroup, stack) } });
      const env = (props.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env).toMatchObject({ POWERTOOLS_SERVICE_NAME: `sinew-${name}`, NODE_OPTIONS: '--enable-source-maps', SINEW_TABLE_NAME: { Ref: logicalId(stack.data.table, stack) } });
    }
    for (const group of Object.values(resourcesOf(template, 'AWS::Logs::LogGroup'))) expect(group.Properties!.RetentionInDays).toBeGreaterThan(0);
  });

  it('passes only variables functions/shared/env.ts names (besides Powertools and Node.js ones)', () => {
    const known = new Set([...Object.keys(lambdaEnvSchema.shape), 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_LOG_LEVEL', 'NODE_OPTIONS']);
    for (const fn of Object.values(resourcesOf(template, 'AWS::Lambda::Function'))) {
      for (const key of Object.keys((fn.Properties!.Environment as { Variables: object }).Variables)) expect(known, key).toContain(key);
    }
  });

  it('gives the API URL, the sender and the configuration set to every function that sends email: the workers, and connect (it tells both addresses when a mailbox joins)', () => {
    const env = (fn: SinewFunction) => (resourcesOf(template, 'AWS::Lambda::Function')[fnId(fn)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    const apiId = logicalId(stack.connect.api, stack);
    for (const fn of [stack.report.worker, stack.sync.worker, stack.brief.worker, stack.connect.connect]) {
      expect(env(fn), fn.node.path).toMatchObject({
        SINEW_BASE_URL: { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] },
        SINEW_SENDER: 'reports@example.com',
        SINEW_SES_CONFIGURATION_SET: { Ref: logicalId(stack.mail.configurationSet, stack) },
      });
    }
    expect(env(stack.connect.links).SINEW_BASE_URL).toBeUndefined();
    expect(env(stack.connect.connect)).toMatchObject({ SINEW_ALLOWED_DOMAINS: 'example.com' });
    // The Microsoft endpoints the sync worker syncs through (national clouds set both).
    expect(env(stack.sync.worker)).toMatchObject({ SINEW_MS_AUTHORITY: 'https://login.microsoftonline.com/common', SINEW_GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0' });
  });

  it('caps the sync worker with reserved concurrency (default 10) and a 5-minute timeout', () => {
    const worker = resourcesOf(template, 'AWS::Lambda::Function')[fnId(stack.sync.worker)]!.Properties!;
    expect(worker).toMatchObject({ ReservedConcurrentExecutions: 10, Timeout: 300 });
    const mapping = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')).find((m) => JSON.stringify(m.Properties!.FunctionName).includes(fnId(stack.sync.worker)))!;
    expect(mapping.Properties).toMatchObject({ BatchSize: 1, ScalingConfig: { MaximumConcurrency: 10 } });
  });

  it('routes the HTTP API as the contract says, throttled and access-logged without paths', () => {
    const routes = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Route')).map((r) => r.Properties!.RouteKey).sort();
    expect(routes).toEqual(['GET /', 'GET /connect/{provider}', 'GET /l/{token}', 'GET /oauth/{provider}/callback', 'POST /l/{token}']);
    const stage = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Stage'))[0]!.Properties!;
    expect(stage).toMatchObject({ StageName: '$default', AutoDeploy: true, DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 50 } });
    const format = (stage.AccessLogSettings as { Format: string }).Format;
    expect(format).toContain('$context.routeKey');
    expect(format).not.toContain('$context.path');
  });

  it('throttles each route on its own, so no route starves another; one-click unsubscribe (POST /l/{token}) has the highest limits', () => {
    const [stageId, stage] = Object.entries(resourcesOf(template, 'AWS::ApiGatewayV2::Stage'))[0]!;
    type Limits = { ThrottlingRateLimit: number; ThrottlingBurstLimit: number };
    const settings = stage.Properties!.RouteSettings as Record<string, Limits>;
    const routes = Object.entries(resourcesOf(template, 'AWS::ApiGatewayV2::Route'));
    expect(Object.keys(settings).sort()).toEqual(routes.map(([, r]) => r.Properties!.RouteKey).sort());
    const unsubscribe = settings['POST /l/{token}']!;
    const defaults = stage.Properties!.DefaultRouteSettings as Limits;
    for (const [key, limits] of Object.entries(settings)) {
      expect(limits.ThrottlingRateLimit, key).toBeGreaterThan(0);
      expect(limits.ThrottlingBurstLimit, key).toBeGreaterThanOrEqual(limits.ThrottlingRateLimit);
      if (key === 'POST /l/{token}') continue;
      expect(unsubscribe.ThrottlingRateLimit, key).toBeGreaterThan(limits.ThrottlingRateLimit);
      expect(unsubscribe.ThrottlingBurstLimit, key).toBeGreaterThan(limits.ThrottlingBurstLimit);
    }
    expect(unsubscribe.ThrottlingRateLimit).toBeGreaterThan(defaults.ThrottlingRateLimit);
    // Route settings name routes that must exist when the stage is created or updated.
    const dependsOn = (template.toJSON().Resources as Record<string, { DependsOn?: string[] }>)[stageId]!.DependsOn ?? [];
    for (const [routeId] of routes) expect(dependsOn, routeId).toContain(routeId);
  });

  it('refuses at synth a route throttle that would let other traffic starve unsubscribe', () => {
    const app = new App({ context: { ...BASE_CONTEXT } });
    const bad = new Stack(app, 'Bad');
    expect(() => new SinewStack(app, 'Sinew', { routeThrottles: { 'GET /l/{token}': { rateLimit: 500, burstLimit: 1000 } } })).toThrow(
      /POST \/l\/\{token\}.*one-click unsubscribe.*highest/,
    );
    expect(bad.node.children).toHaveLength(0);
  });

  it('schedules the sync (default every 30 minutes) and the hourly report and brief ticks, with retries and a DLQ', () => {
    const schedules = Object.values(resourcesOf(template, 'AWS::Scheduler::Schedule')).map((s) => s.Properties!);
    expect(schedules.map((s) => s.ScheduleExpression).sort()).toEqual(['cron(0 * * * ? *)', 'cron(0 * * * ? *)', 'rate(30 minutes)']);
    const dlq = logicalId(stack.eventFailures, stack);
    for (const s of schedules) {
      const target = s.Target as { RetryPolicy: { MaximumRetryAttempts: number }; DeadLetterConfig: { Arn: unknown }; Input: unknown };
      expect(target.RetryPolicy.MaximumRetryAttempts).toBe(3);
      expect(target.DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': [dlq, 'Arn'] });
      // Fn::Join around the account and region: look into its string parts.
      const input = JSON.stringify(target.Input);
      expect(input).toContain('\\"detail-type\\":\\"Scheduled Event\\"');
      expect(input).toContain('\\"time\\":\\"<aws.scheduler.scheduled-time>\\"');
    }
  });

  it('sends through an SES configuration set with reputation metrics and suppression, and routes bounces and complaints to ses-events', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      ReputationOptions: { ReputationMetricsEnabled: true },
      SuppressionOptions: { SuppressedReasons: Match.arrayEquals(['BOUNCE', 'COMPLAINT']) },
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({ Enabled: true, MatchingEventTypes: Match.arrayEquals(['bounce', 'complaint']) }),
    });
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'reports@example.com' });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.ses'], 'detail-type': ['Email Bounced', 'Email Complaint Received'] }),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId(stack.report.sesEvents), 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
    });
  });

  it('alarms on every dead-letter queue, every function error and throttle, and the sync worker nearing its timeout', () => {
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!);
    const watching = (metric: string, dimension: unknown) =>
      alarms.filter((a) => a.MetricName === metric && JSON.stringify(a.Dimensions).includes(JSON.stringify(dimension)));
    const deadLetterQueues = [stack.syncQueue.deadLetterQueue, stack.report.queue.deadLetterQueue, stack.brief.queue.deadLetterQueue, stack.eventFailures].map((q) => logicalId(q, stack));
    const workQueues = [stack.syncQueue.queue, stack.report.queue.queue, stack.brief.queue.queue].map((q) => logicalId(q, stack));
    // Every queue is a work queue or a watched dead-letter queue.
    expect(Object.keys(resourcesOf(template, 'AWS::SQS::Queue')).sort()).toEqual([...deadLetterQueues, ...workQueues].sort());
    for (const queue of deadLetterQueues) {
      const found = watching('ApproximateNumberOfMessagesVisible', { 'Fn::GetAtt': [queue, 'QueueName'] });
      expect(found, queue).toHaveLength(1);
      expect(found[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    }
    for (const fn of Object.values(allFunctions())) {
      expect(watching('Errors', { Ref: fnId(fn) }), fn.node.path).toHaveLength(1);
      expect(watching('Throttles', { Ref: fnId(fn) }), fn.node.path).toHaveLength(1);
    }
    expect(watching('Duration', { Ref: fnId(stack.sync.worker) })[0]!.Threshold).toBe(285_000);
    expect(alarms.filter((a) => a.MetricName === 'MailboxSyncStale')).toHaveLength(1);
    const topic = logicalId(stack.observability.topic, stack);
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: topic }]);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('alarms when a failed sync leaves a mailbox stale: the MailboxSyncStale metric exactly as the handlers\' metrics emit it', () => {
    // What the shared Powertools metrics object really writes (EMF): namespace and dimensions.
    metrics.addMetric('MailboxSyncStale', MetricUnit.Count, 1);
    const emf = metrics.serializeMetrics() as unknown as { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> } } & Record<string, unknown>;
    metrics.clearMetrics();
    const [directive] = emf._aws.CloudWatchMetrics;
    const dimensions = directive!.Dimensions[0]!.map((name) => ({ Name: name, Value: emf[name] }));
    const stale = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!).filter((a) => a.MetricName === 'MailboxSyncStale');
    expect(stale).toHaveLength(1);
    expect(stale[0]).toMatchObject({
      Namespace: directive!.Namespace,
      Dimensions: dimensions,
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: logicalId(stack.observability.topic, stack) }],
    });
    expect(String(stale[0]!.AlarmDescription)).toMatch(/stale/);
  });

  it('outputs the connect page, the redirect URIs and the secrets to fill', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const name of ['ConnectPageUrl', 'GoogleRedirectUri', 'MicrosoftRedirectUri', 'GoogleClientSecretArn', 'MicrosoftClientSecretArn']) {
      expect(outputs[name], name).toBeDefined();
    }
    expect(JSON.stringify(outputs.GoogleRedirectUri!.Value)).toContain('/oauth/google/callback');
    expect(JSON.stringify(outputs.MicrosoftRedirectUri!.Value)).toContain('/oauth/microsoft/callback');
  });

  it('warns while the example sender is still in place', () => {
    Annotations.fromStack(stack).hasWarning('/Sinew', Match.stringLikeRegexp('senderAddress is still the example'));
  });
});

describe('SinewStack least privilege', () => {
  const tokenKey = () => logicalId(stack.data.tokenKey, stack);
  const secret = (name: 'googleClient' | 'microsoftClient' | 'linkSigning') => logicalId(stack.secrets[name], stack);

  it('lets connect seal tokens (GenerateDataKey under the account context) but not open them', () => {
    const s = roleStatements(stack.connect.connect);
    const seal = allows(s, 'kms:GenerateDataKey', tokenKey());
    expect(seal).toHaveLength(1);
    expect(seal[0]!.Condition).toMatchObject({ 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['userId', 'accountId'] } });
    expect(allows(s, 'kms:Decrypt', tokenKey())).toHaveLength(0);
    for (const name of ['googleClient', 'microsoftClient', 'linkSigning'] as const) expect(allows(s, 'secretsmanager:GetSecretValue', secret(name)), name).toHaveLength(1);
  });

  it('lets only the sync worker and links open tokens, and only connect and the sync worker (MSAL rotates its cache) seal them', () => {
    // A token's context names its account; a note's (test/infra/brief-stack.test.ts) does not.
    const underTokenContext = (st: Statement) => JSON.stringify(st.Condition ?? {}).includes('accountId');
    for (const [name, fn] of Object.entries(allFunctions())) {
      const opens = allows(roleStatements(fn), 'kms:Decrypt', tokenKey()).filter(underTokenContext).length > 0;
      expect(opens, name).toBe(name === 'sync-worker' || name === 'links');
      const seals = allows(roleStatements(fn), 'kms:GenerateDataKey', tokenKey()).filter(underTokenContext);
      expect(seals.length > 0, name).toBe(name === 'sync-worker' || name === 'connect');
      for (const st of seals) expect(st.Condition).toMatchObject({ 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['userId', 'accountId'] } });
    }
  });

  it('keeps the sync dispatcher to reading the table and sending jobs: no secret, no token, no write', () => {
    const s = roleStatements(stack.sync.dispatcher);
    // What it is allowed: the team index's Deny names writes only to take them away.
    const actions = s.filter((st) => st.Effect === 'Allow').flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
    expect(allows(s, 'kms:Decrypt', tokenKey())).toHaveLength(0);
    expect(actions).not.toContain('dynamodb:PutItem');
    expect(actions).toContain('dynamodb:Query');
    expect(actions).toContain('sqs:SendMessage');
  });

  it('keeps the report worker from tokens and OAuth secrets (it opens notes only), and pins its SES sending to the sender and configuration set', () => {
    const s = roleStatements(stack.report.worker);
    // One Decrypt, under a note's context (purpose=note, userId, noteId): a token's (userId, accountId) does not match it.
    const opens = allows(s, 'kms:Decrypt', tokenKey());
    expect(opens).toHaveLength(1);
    expect(opens[0]!.Condition).toMatchObject({
      'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['purpose', 'userId', 'noteId'] },
      StringEquals: { 'kms:EncryptionContext:purpose': 'note' },
    });
    expect(allows(s, 'kms:GenerateDataKey', tokenKey())).toHaveLength(0);
    const vars = (resourcesOf(template, 'AWS::Lambda::Function')[fnId(stack.report.worker)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(vars.SINEW_TOKEN_KEY_ARN).toEqual({ 'Fn::GetAtt': [tokenKey(), 'Arn'] });
    expect(allows(s, 'secretsmanager:GetSecretValue', secret('googleClient'))).toHaveLength(0);
    expect(allows(s, 'secretsmanager:GetSecretValue', secret('microsoftClient'))).toHaveLength(0);
    const ses = s.filter((st) => actionsOf(st).includes('ses:SendEmail'));
    expect(ses).toHaveLength(1);
    expect(ses[0]!.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'reports@example.com' } });
    expect(JSON.stringify(ses[0]!.Resource)).toContain(logicalId(stack.mail.configurationSet, stack));
  });

  it('lets only the report, brief and sync workers and connect send email, each pinned to the sender and the configuration set', () => {
    for (const [name, fn] of Object.entries(allFunctions())) {
      const ses = roleStatements(fn).filter((st) => actionsOf(st).includes('ses:SendEmail'));
      expect(ses.length > 0, name).toBe(name === 'report-worker' || name === 'sync-worker' || name === 'connect' || name === 'brief-worker');
      for (const st of ses) {
        expect(st.Condition, name).toEqual({ StringEquals: { 'ses:FromAddress': 'reports@example.com' } });
        expect(JSON.stringify(st.Resource), name).toContain(logicalId(stack.mail.configurationSet, stack));
      }
    }
  });

  it('lets connect do with the table only what it does (get, put, update, query), never delete or batch-write, and not on the index', () => {
    const s = roleStatements(stack.connect.connect);
    // Allows only: the team index's Deny (test/infra/team-iam.test.ts) takes nothing more.
    const dynamo = s.filter((st) => st.Effect === 'Allow' && actionsOf(st).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.flatMap(actionsOf).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    const table = logicalId(stack.data.table, stack);
    for (const st of dynamo) expect(st.Resource).toEqual({ 'Fn::GetAtt': [table, 'Arn'] });
    // The table key through DynamoDB, as any writer of the table needs it.
    expect(allows(s, 'kms:GenerateDataKey', logicalId(stack.data.tableKey, stack))).toHaveLength(1);
  });

  it('uses "*" resources only for X-Ray, and never an action wildcard', () => {
    for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy'))) {
      for (const st of (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement) {
        if (st.Resource === '*') expect(actionsOf(st).every((a) => a.startsWith('xray:'))).toBe(true);
        for (const a of actionsOf(st)) expect(a, a).not.toMatch(/\*/);
      }
    }
  });
});

describe('SinewStack context', () => {
  it('fails construction with the bad key named, before any resource is made', () => {
    const app = new App({ context: { ...BASE_CONTEXT, senderAddress: 'not-an-address' } });
    expect(() => new SinewStack(app, 'Sinew')).toThrow(/CDK context "senderAddress"/);
  });

  it('fails construction until the admin chooses who may sign up, saying how', () => {
    const app = new App({ context: { senderAddress: 'reports@example.com', 'aws:cdk:bundling-stacks': [] } });
    expect(() => new SinewStack(app, 'Sinew')).toThrow(/CDK context "allowedDomains": choose who may sign up: -c allowedDomains=example\.com,\.\.\. .*-c allowedDomains=\*/);
  });

  it('tells connect "*" when the admin admits anyone', () => {
    const { stack, template } = synthSinew({ context: { allowedDomains: '*' } });
    const env = (resourcesOf(template, 'AWS::Lambda::Function')[logicalId(stack.connect.connect.fn, stack)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.SINEW_ALLOWED_DOMAINS).toBe('*');
  });
});

/** The stack as `cdk deploy` builds it: a concrete account and region, cdk-nag on. */
function synthDeployed(context: Record<string, unknown>): { stack: SinewStack; template: Template } {
  const app = new App({ builtinCloudFormationValidation: false, context: { ...BASE_CONTEXT, ...context } });
  const stack = new SinewStack(app, 'Sinew', { env: { account: '123456789012', region: 'eu-west-1' } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return { stack, template: Template.fromStack(stack) };
}

describe('SinewStack with a custom domain, an alarm email and a concurrency cap', () => {
  const { stack, template } = synthDeployed({
    senderAddress: 'weekly@sinew.acme.test',
    domain: 'sinew.acme.test',
    alarmEmail: 'ops@acme.test',
    syncConcurrency: '4',
    allowedDomains: 'acme.test',
    syncSchedule: 'rate(1 hour)',
    reportHour: 9,
    sesSendRate: '100',
  });
  const env = (fn: { fn: unknown }) =>
    (resourcesOf(template, 'AWS::Lambda::Function')[logicalId((fn as { fn: { node: { defaultChild?: unknown } } }).fn, stack)]!.Properties!.Environment as {
      Variables: Record<string, unknown>;
    }).Variables;

  it('passes cdk-nag in a concrete region (the SES identity acknowledgement matches it)', () => {
    expect(template.toJSON().Resources).toBeDefined();
  });

  it('verifies the domain with 2048-bit Easy DKIM and serves the API on it', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'sinew.acme.test',
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
    });
    template.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'sinew.acme.test', ValidationMethod: 'DNS' });
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'sinew.acme.test' });
    template.hasOutput('CustomDomainTarget', Match.anyValue());
    template.hasOutput('GoogleRedirectUri', { Value: 'https://sinew.acme.test/oauth/google/callback' });
  });

  it('gives every function that builds links the custom domain as its base URL', () => {
    for (const fn of [stack.report.worker, stack.sync.worker, stack.connect.connect, stack.connect.links]) {
      expect(env(fn).SINEW_BASE_URL).toBe('https://sinew.acme.test');
    }
    expect(env(stack.connect.connect)).toMatchObject({ SINEW_ALLOWED_DOMAINS: 'acme.test', SINEW_REPORT_HOUR: '9' });
  });

  it('subscribes the alarm email and applies the concurrency cap and schedule', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@acme.test' });
    expect(resourcesOf(template, 'AWS::Lambda::Function')[logicalId(stack.sync.worker.fn, stack)]!.Properties!.ReservedConcurrentExecutions).toBe(4);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 hour)' });
    // The dispatcher's tick slots follow the schedule, so a retried run sends the same jobs.
    expect(env(stack.sync.dispatcher)).toMatchObject({ SINEW_SYNC_INTERVAL_MINUTES: '60' });
  });

  it('caps the report workers at 300 for an SES rate of 100/s (-c sesSendRate=100), each told the rate', () => {
    const worker = logicalId(stack.report.worker.fn, stack);
    const mapping = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')).find((m) => JSON.stringify(m.Properties!.FunctionName).includes(worker))!;
    expect(mapping.Properties!.ScalingConfig).toEqual({ MaximumConcurrency: 300 });
    expect(env(stack.report.worker).SINEW_SES_SEND_RATE).toBe('100');
  });

  it('does not warn about the example sender once it is replaced', () => {
    Annotations.fromStack(stack).hasNoWarning('/Sinew', Match.stringLikeRegexp('senderAddress is still the example'));
  });
});
