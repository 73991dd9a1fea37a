import { randomBytes, randomUUID } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { clearCaches } from '@aws-lambda-powertools/parameters';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { vi } from 'vitest';
import { handler as connectHandler } from '#functions/connect.ts';
import { handler as linksHandler } from '#functions/links.ts';
import { handler as reportDispatcherHandler } from '#functions/report-dispatcher.ts';
import { handler as reportWorkerHandler } from '#functions/report-worker.ts';
import { handler as briefDispatcherHandler } from '#functions/brief-dispatcher.ts';
import { handler as briefWorkerHandler } from '#functions/brief-worker.ts';
import { handler as sesEventsHandler } from '#functions/ses-events.ts';
import { handler as syncDispatcherHandler } from '#functions/sync-dispatcher.ts';
import { makeSyncWorkerHandler } from '#functions/sync-worker.ts';
import { lambdaEnv, required } from '#functions/shared/env.ts';
import { metrics } from '#functions/shared/observability.ts';
import { parseLinkSecret, parseOAuthClientSecret, setRuntimeForTests, type Runtime } from '#functions/shared/runtime.ts';
import type { FunctionName } from '#infra/bundling.ts';
import { KmsTokenVault } from '#lib/connect/kms-token-vault.ts';
import type { TokenVault } from '#lib/connect/token-vault.ts';
import { ConfigError } from '#lib/errors.ts';
import { makeDynamoClient } from '#lib/store/dynamodb/client.ts';
import { DynamoStore } from '#lib/store/dynamodb/store.ts';
import type { Clock } from '#lib/time/clock.ts';
import { GCAL_QUOTA, GMAIL_QUOTA_2026 } from '#lib/providers/google/quota.ts';
import { actionsOf, logicalId, statementsOfRole, synthSinew } from '#test/infra/synth.ts';
import { calendarHandler } from '#test/support/google/calendar-emulator.ts';
import type { CalendarState } from '#test/support/google/calendar-state.ts';
import { gmailHandler } from '#test/support/google/gmail-emulator.ts';
import type { GmailMailbox } from '#test/support/google/gmail-mailbox.ts';
import { GoogleOAuthEmulator } from '#test/support/google/oauth-emulator.ts';
import { QuotaLedger } from '#test/support/google/quota.ts';
import { startGoogleEmulator, type GoogleEmulator } from '#test/support/google/server.ts';
import { connectedProvider } from '#lib/providers/registry.ts';
import { TEST_CLIENT } from '#test/support/google/world.ts';
import type { TestDynamo } from './dynalite.ts';
import { lambdaContext } from './lambda.ts';
import { sqsRecord } from '#test/functions/report-events.ts';
import { fifoRecord } from '#test/functions/sync-events.ts';

/**
 * The deployed service in one process, wired as the synthesized stack wires it: each
 * function gets the environment its CloudFormation resource declares (references resolved
 * to fake ARNs and URLs, the table to dynalite), HTTP requests reach the function whose
 * HTTP API route matches, a message sent to a queue reaches the function of that queue's
 * event source mapping (FIFO deduplication included), and a schedule tick is the input its
 * Scheduler target templates. AWS services without a local stand-in (SQS, KMS, Secrets
 * Manager, SES) are mocked; time is vitest's faked `Date`, moved by the test and by sleeps.
 * Each function's calls to KMS, Secrets Manager and DynamoDB (dynalite) are checked against
 * the statements of its role, so a missing or a too-narrow grant fails here as in AWS.
 */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
const API_ID = 'abc123def4';

/** Time for every part (handlers, emulators, the sync engine): the faked `Date`; a sleep moves it on. */
export const dateClock: Clock = {
  now: () => Date.now(),
  async sleep(ms) {
    const wake = Date.now() + Math.max(0, ms);
    await new Promise((resolve) => setImmediate(resolve));
    if (Date.now() < wake) vi.setSystemTime(wake);
  },
};

/** The worker's clock as work takes time: each reading moves time on by `stepMs`. */
export function steppingDateClock(stepMs: number): Clock {
  return {
    now: () => {
      vi.setSystemTime(Date.now() + stepMs);
      return Date.now();
    },
    sleep: (ms) => dateClock.sleep(ms),
  };
}

type Cfn = { Type: string; Properties?: Record<string, unknown> };
export interface DeployedFunction {
  name: FunctionName;
  logicalId: string;
  /** The environment as CloudFormation would set it. */
  env: Record<string, string>;
  timeoutS: number;
  memoryMb: number;
  /** What its role allows: each statement's actions, resources (ARN patterns) and conditions. */
  grants: Array<{ actions: string[]; resources: string[]; conditions?: Record<string, Record<string, unknown>> }>;
  /** What its role denies explicitly (the team index's partitions, infra/constructs/data.ts): wins over any grant. */
  denies?: Array<{ actions: string[]; resources: string[]; conditions?: Record<string, Record<string, unknown>> }>;
}
export interface DeployedQueue {
  logicalId: string;
  url: string;
  arn: string;
  fifo: boolean;
  /** The function of its event source mapping. */
  consumer?: FunctionName;
  batchSize: number;
}
export interface DeployedStack {
  baseUrl: string;
  functions: Map<FunctionName, DeployedFunction>;
  routes: Array<{ routeKey: string; method: string; pattern: RegExp; params: string[]; fn: FunctionName }>;
  queues: DeployedQueue[];
  /** Scheduler target input (with `<aws.scheduler.*>` placeholders) per target function. */
  schedules: Map<FunctionName, string>;
  /** Secret logical id to its ARN and its value at deploy. */
  secrets: Map<string, { arn: string; value: string }>;
}

/** Synthesizes the stack (with `context` over the test defaults) and reads what connects the functions. */
export function deployedStack(tableName: string, context: Record<string, unknown> = {}): DeployedStack {
  const { stack, template } = synthSinew({ context });
  const resources = (template.toJSON() as { Resources: Record<string, Cfn> }).Resources;
  const names: Record<string, FunctionName> = {};
  const fns = { connect: stack.connect.connect, links: stack.connect.links, 'sync-dispatcher': stack.sync.dispatcher, 'sync-worker': stack.sync.worker, 'report-dispatcher': stack.report.dispatcher, 'report-worker': stack.report.worker, 'ses-events': stack.report.sesEvents, 'brief-dispatcher': stack.brief.dispatcher, 'brief-worker': stack.brief.worker } as const;
  for (const [name, fn] of Object.entries(fns)) names[logicalId(fn.fn, stack)] = name as FunctionName;
  const props = (id: string): Record<string, unknown> => resources[id]?.Properties ?? {};
  const queueName = (id: string) => (props(id).FifoQueue ? `${id}.fifo` : id);

  const ref = (id: string): string => {
    const pseudo: Record<string, string> = { 'AWS::AccountId': ACCOUNT, 'AWS::Region': REGION, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };
    if (pseudo[id]) return pseudo[id];
    switch (resources[id]?.Type) {
      case 'AWS::DynamoDB::Table': return tableName;
      case 'AWS::SQS::Queue': return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${queueName(id)}`;
      case 'AWS::SecretsManager::Secret': return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${id}-AbCdEf`;
      case 'AWS::SES::ConfigurationSet': return (props(id).Name as string | undefined) ?? id;
      case 'AWS::Lambda::Function': return names[id] ?? id;
      default: throw new Error(`no stand-in for a Ref to ${id} (${resources[id]?.Type})`);
    }
  };
  const getAtt = (id: string, attr: string): string => {
    const type = resources[id]?.Type;
    if (type === 'AWS::SQS::Queue' && attr === 'Arn') return `arn:aws:sqs:${REGION}:${ACCOUNT}:${queueName(id)}`;
    if (type === 'AWS::KMS::Key' && attr === 'Arn') return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
    if (type === 'AWS::DynamoDB::Table' && attr === 'Arn') return tableArn(tableName);
    if (type === 'AWS::ApiGatewayV2::Api' && attr === 'ApiEndpoint') return `https://${API_ID}.execute-api.${REGION}.amazonaws.com`;
    if (type === 'AWS::Lambda::Function' && attr === 'Arn') return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
    throw new Error(`no stand-in for Fn::GetAtt ${id}.${attr} (${type})`);
  };
  const resolve = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, unknown>;
    if ('Ref' in o) return ref(o.Ref as string);
    if ('Fn::GetAtt' in o) return getAtt(...(o['Fn::GetAtt'] as [string, string]));
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(sep);
    }
    throw new Error(`no stand-in for ${JSON.stringify(v)}`);
  };
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const fnOf = (v: unknown): FunctionName => {
    const o = v as Record<string, unknown>;
    const id = 'Ref' in o ? (o.Ref as string) : (o['Fn::GetAtt'] as string[])[0]!;
    if (!names[id]) throw new Error(`${id} is not one of the stack's functions`);
    return names[id];
  };

  const functions = new Map<FunctionName, DeployedFunction>();
  for (const [id, r] of ofType('AWS::Lambda::Function')) {
    if (!names[id]) continue;
    const vars = ((r.Properties!.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables) ?? {};
    const env = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, resolve(v)]));
    const statements = statementsOfRole(template, logicalId(fns[names[id]].role, stack));
    const toGrant = (st: (typeof statements)[number]) => ({
        ...(st.Condition ? { conditions: st.Condition as Record<string, Record<string, unknown>> } : {}),
        actions: actionsOf(st),
        // Resources this stand-in cannot name (log groups, tables' indexes) matter to no mock.
        resources: (Array.isArray(st.Resource) ? st.Resource : [st.Resource]).flatMap((res) => {
          try {
            return [resolve(res)];
          } catch {
            return [];
          }
        }),
      });
    const grants = statements.filter((st) => st.Effect === 'Allow').map(toGrant);
    const denies = statements.filter((st) => st.Effect === 'Deny').map(toGrant);
    functions.set(names[id], { name: names[id], logicalId: id, env, grants, denies, timeoutS: (r.Properties!.Timeout as number | undefined) ?? 3, memoryMb: (r.Properties!.MemorySize as number | undefined) ?? 128 });
  }
  const routes: DeployedStack['routes'] = [];
  for (const [, r] of ofType('AWS::ApiGatewayV2::Route')) {
    const routeKey = r.Properties!.RouteKey as string;
    const [method, path] = routeKey.split(' ') as [string, string];
    const integration = /^integrations\/(.+)$/.exec(resolveRefName(r.Properties!.Target))![1]!;
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const pattern = new RegExp(`^${path.replace(/\{\w+\}/g, '([^/]+)')}$`);
    routes.push({ routeKey, method, pattern, params, fn: fnOf(props(integration).IntegrationUri) });
  }
  const queues: DeployedQueue[] = ofType('AWS::SQS::Queue').map(([id, r]) => ({
    logicalId: id, url: ref(id), arn: getAtt(id, 'Arn'), fifo: r.Properties?.FifoQueue === true, batchSize: 10,
  }));
  for (const [, r] of ofType('AWS::Lambda::EventSourceMapping')) {
    const queue = queues.find((q) => q.arn === resolve(r.Properties!.EventSourceArn))!;
    queue.consumer = fnOf(r.Properties!.FunctionName);
    queue.batchSize = (r.Properties!.BatchSize as number | undefined) ?? 10;
  }
  const schedules = new Map<FunctionName, string>();
  for (const [, r] of ofType('AWS::Scheduler::Schedule')) {
    const target = r.Properties!.Target as { Arn: unknown; Input: unknown };
    schedules.set(fnOf(target.Arn), resolve(target.Input));
  }
  const secrets = new Map<string, { arn: string; value: string }>();
  for (const [id, r] of ofType('AWS::SecretsManager::Secret')) {
    // A generated secret is 64 letters and digits (generateSecretString, no punctuation).
    const value = (r.Properties!.SecretString as string | undefined) ?? randomBytes(48).toString('base64url').replace(/[-_]/g, 'x').slice(0, 64);
    secrets.set(id, { arn: ref(id), value });
  }
  return { baseUrl: getAtt(ofType('AWS::ApiGatewayV2::Api')[0]![0], 'ApiEndpoint'), functions, routes, queues, schedules, secrets };

  function resolveRefName(v: unknown): string {
    // `integrations/<Ref>`: the integration's logical id stands for its id.
    const o = v as Record<string, unknown>;
    const [, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => (typeof p === 'string' ? p : ((p as { Ref: string }).Ref))).join('');
  }
}

/** The table's ARN as the stand-in stack names it. */
export function tableArn(tableName: string): string {
  return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${tableName}`;
}

/** The condition keys of a call: single values or sets. */
type RequestKeys = Record<string, string | string[]>;

/** A KMS call's condition keys from its encryption context (as KMS gives them to IAM). */
function kmsRequest(context: Record<string, string> | undefined): RequestKeys {
  const keys: RequestKeys = { 'kms:EncryptionContextKeys': Object.keys(context ?? {}) };
  for (const [k, v] of Object.entries(context ?? {})) keys[`kms:EncryptionContext:${k}`] = v;
  return keys;
}

/**
 * A statement's conditions against a call's keys, for the operators the stack uses
 * (StringEquals, ForAllValues:StringEquals, Null); any other operator does not hold, so
 * a grant this stand-in cannot judge fails here rather than passing unseen.
 */
function conditionsHold(conditions: Record<string, Record<string, unknown>> | undefined, request: RequestKeys): boolean {
  for (const [operator, keys] of Object.entries(conditions ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      const allowed = (Array.isArray(expected) ? expected : [expected]).map(String);
      const value = request[key];
      if (operator === 'StringEquals') {
        if (typeof value !== 'string' || !allowed.includes(value)) return false;
      } else if (operator === 'ForAllValues:StringEquals') {
        if (!(Array.isArray(value) ? value : value === undefined ? [] : [value]).every((v) => allowed.includes(v))) return false;
      } else if (operator === 'Null') {
        if ((value === undefined) !== (allowed[0] === 'true')) return false;
      } else {
        return false;
      }
    }
  }
  return true;
}

/**
 * Whether an explicit Deny's conditions hold for a call: `ForAnyValue:StringLike` (any of
 * the call's values matches any pattern); an operator this stand-in cannot judge holds,
 * so a deny is never skipped unseen.
 */
function denyApplies(conditions: Record<string, Record<string, unknown>> | undefined, request: RequestKeys): boolean {
  for (const [operator, keys] of Object.entries(conditions ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      if (operator !== 'ForAnyValue:StringLike') continue;
      const patterns = (Array.isArray(expected) ? expected : [expected]).map((p) => new RegExp(`^${String(p).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`));
      const value = request[key];
      const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
      if (!values.some((v) => patterns.some((p) => p.test(v)))) return false;
    }
  }
  return true;
}

/**
 * `dynamodb:LeadingKeys` of a call as IAM gives it: the partition key of every item it
 * names (Key, Item, a batch's requests) or of the Query's key condition (the index's
 * partition key for an index query); none for a Scan.
 */
function leadingKeys(input: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof (v as { S?: unknown } | undefined)?.S === 'string' ? (v as { S: string }).S : undefined);
  const add = (record: unknown, key: string): void => {
    const v = text((record as Record<string, unknown> | undefined)?.[key]);
    if (v !== undefined) out.add(v);
  };
  add(input.Key, 'pk');
  add(input.Item, 'pk');
  const condition = /^\s*(#?\w+)\s*=\s*(:\w+)/.exec(String(input.KeyConditionExpression ?? ''));
  if (condition) add(input.ExpressionAttributeValues, condition[2]!);
  for (const requests of Object.values((input.RequestItems ?? {}) as Record<string, unknown>)) {
    const list = Array.isArray(requests) ? requests : ((requests as { Keys?: unknown[] }).Keys ?? []).map((Key) => ({ Key }));
    for (const r of list as Array<{ PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown }; Key?: unknown }>) {
      add(r.PutRequest?.Item, 'pk');
      add(r.DeleteRequest?.Key, 'pk');
      add(r.Key, 'pk');
    }
  }
  return [...out];
}

/** The IAM action of a DynamoDB client command (the document client's names too). */
function dynamoAction(commandName: string): string {
  const name = commandName.replace(/Command$/, '');
  const documentNames: Record<string, string> = { Get: 'GetItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', BatchGet: 'BatchGetItem', BatchWrite: 'BatchWriteItem', TransactGet: 'TransactGetItems', TransactWrite: 'TransactWriteItems' };
  return `dynamodb:${documentNames[name] ?? name}`;
}

type Invoke = (event: unknown, context: Context) => Promise<unknown>;
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  cookies: string[];
  body: string;
  /** The function that answered; none when no route matched. */
  fn?: FunctionName;
}
export interface Delivery {
  fn: FunctionName;
  records: SQSRecord[];
  response: SQSBatchResponse;
}

/**
 * The service: one runtime per function (its env, the shared dynalite table, a KMS vault
 * under the key its env names, secrets read by ARN), and the ways in: HTTP, queues, ticks.
 */
export class Service {
  readonly sqsClient = new SQSClient({ region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  readonly kmsClient = new KMSClient({ region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  /** Every entry sent to any queue, with the queue's URL, in order. */
  readonly sent: Array<SendMessageBatchRequestEntry & { QueueUrl: string }> = [];
  /** Messages waiting per queue URL. */
  readonly pending = new Map<string, SendMessageBatchRequestEntry[]>();
  private readonly dedup = new Map<string, number>();
  private readonly runtimes = new Map<FunctionName, Runtime>();
  private readonly handlers: Record<FunctionName, Invoke>;
  private readonly mocks;
  private messageIds = 0;

  constructor(
    readonly stack: DeployedStack,
    private readonly db: TestDynamo,
    workerClock: Clock,
  ) {
    this.handlers = {
      connect: connectHandler as unknown as Invoke,
      links: linksHandler as unknown as Invoke,
      'sync-dispatcher': syncDispatcherHandler as unknown as Invoke,
      // The deployed handler is this factory with the wall clock; here time is virtual.
      'sync-worker': makeSyncWorkerHandler({ clock: workerClock }) as unknown as Invoke,
      'report-dispatcher': reportDispatcherHandler as unknown as Invoke,
      'report-worker': reportWorkerHandler as unknown as Invoke,
      'ses-events': sesEventsHandler as unknown as Invoke,
      'brief-dispatcher': briefDispatcherHandler as unknown as Invoke,
      'brief-worker': briefWorkerHandler as unknown as Invoke,
    };
    const sqs = mockClient(this.sqsClient);
    sqs.on(SendMessageBatchCommand).callsFake((input: { QueueUrl: string; Entries: SendMessageBatchRequestEntry[] }) => this.receive(input.QueueUrl, input.Entries));
    const kms = mockClient(this.kmsClient);
    const wrapped = new Map<string, { key: Buffer; keyId: string; context: string }>();
    kms.on(GenerateDataKeyCommand).callsFake(async (input: { KeyId: string; EncryptionContext?: Record<string, string> }) => {
      this.authorize('kms:GenerateDataKey', input.KeyId, kmsRequest(input.EncryptionContext));
      const key = randomBytes(32);
      const blob = randomBytes(48);
      wrapped.set(blob.toString('hex'), { key, keyId: input.KeyId, context: JSON.stringify(input.EncryptionContext ?? {}) });
      // The vault wipes the plaintext after use: hand out a copy.
      return { Plaintext: Uint8Array.from(key), CiphertextBlob: Uint8Array.from(blob), KeyId: input.KeyId };
    });
    kms.on(DecryptCommand).callsFake(async (input: { CiphertextBlob: Uint8Array; KeyId?: string; EncryptionContext?: Record<string, string> }) => {
      const known = wrapped.get(Buffer.from(input.CiphertextBlob).toString('hex'));
      this.authorize('kms:Decrypt', input.KeyId ?? known?.keyId ?? '', kmsRequest(input.EncryptionContext));
      // KMS refuses another key or another encryption context.
      if (!known || (input.KeyId !== undefined && input.KeyId !== known.keyId) || JSON.stringify(input.EncryptionContext ?? {}) !== known.context) {
        throw Object.assign(new Error('KMS refused the blob'), { name: 'InvalidCiphertextException' });
      }
      return { Plaintext: Uint8Array.from(known.key), KeyId: known.keyId };
    });
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).callsFake(async (input: { SecretId: string }) => {
      this.authorize('secretsmanager:GetSecretValue', input.SecretId);
      const secret = [...stack.secrets.values()].find((s) => s.arn === input.SecretId);
      if (!secret) throw new ResourceNotFoundException({ message: `Secrets Manager can't find ${input.SecretId}`, $metadata: {} });
      return { ARN: secret.arn, SecretString: secret.value };
    });
    this.mocks = [sqs, kms, secrets];
  }

  /** The function running now: the one whose role the KMS and Secrets Manager mocks check. */
  private current: FunctionName | undefined;

  /**
   * AccessDeniedException unless the running function's role allows `action` on `arn`, as
   * IAM would, with the statement's conditions evaluated against `request` (the condition
   * keys of the call, such as a KMS call's encryption context).
   */
  authorize(action: string, arn: string, request: RequestKeys = {}): void {
    const fn = this.current ? this.stack.functions.get(this.current) : undefined;
    const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    const allowed = fn?.grants.some((g) => g.actions.some((a) => glob(a).test(action)) && g.resources.some((r) => glob(r).test(arn)) && conditionsHold(g.conditions, request));
    const denied = fn?.denies?.some((d) => d.actions.some((a) => glob(a).test(action)) && d.resources.some((r) => glob(r).test(arn)) && denyApplies(d.conditions, request));
    if (denied) {
      throw Object.assign(new Error(`User: arn:aws:sts::${ACCOUNT}:assumed-role/sinew-${this.current}/x is not authorized to perform: ${action} on resource: ${arn} with an explicit deny`), { name: 'AccessDeniedException' });
    }
    if (!allowed) {
      throw Object.assign(new Error(`User: arn:aws:sts::${ACCOUNT}:assumed-role/sinew-${this.current}/x is not authorized to perform: ${action} on resource: ${arn}`), { name: 'AccessDeniedException' });
    }
  }

  /** The admin's step after deploy: fill a secret (by logical id prefix). */
  fillSecret(idPrefix: string, value: string): void {
    const [id, secret] = [...this.stack.secrets.entries()].find(([k]) => k.startsWith(idPrefix))!;
    this.stack.secrets.set(id, { ...secret, value });
  }

  /** The function's runtime as getRuntime() builds it in Lambda, on dynalite and the mocks. */
  runtime(name: FunctionName): Runtime {
    let runtime = this.runtimes.get(name);
    if (runtime) return runtime;
    const env = lambdaEnv(this.stack.functions.get(name)!.env);
    const vault: TokenVault = env.SINEW_TOKEN_KEY_ARN
      ? new KmsTokenVault(this.kmsClient, env.SINEW_TOKEN_KEY_ARN)
      : { seal: () => Promise.reject(new ConfigError(`SINEW_TOKEN_KEY_ARN is not set: ${name} cannot seal tokens`)), open: () => Promise.reject(new ConfigError(`SINEW_TOKEN_KEY_ARN is not set: ${name} cannot open tokens`)) };
    // The function's own DynamoDB client, checked against its role as IAM would: each
    // call's action on the table (or the index it queries).
    const client = makeDynamoClient({ endpoint: this.db.dynamo.endpoint });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { TableName?: string; IndexName?: string; RequestItems?: Record<string, unknown> };
        const tables = input.TableName ? [input.TableName] : Object.keys(input.RequestItems ?? {});
        const keys = { 'dynamodb:LeadingKeys': leadingKeys(args.input as Record<string, unknown>) };
        for (const table of tables) this.authorize(dynamoAction(context.commandName ?? ''), input.IndexName ? `${tableArn(table)}/index/${input.IndexName}` : tableArn(table), keys);
        return next(args);
      },
      { step: 'initialize', name: 'sinewIamCheck' },
    );
    runtime = {
      env,
      store: new DynamoStore({ client, tableName: this.db.tableName }),
      vault,
      sqs: this.sqsClient,
      oauthClient: async (provider) => parseOAuthClientSecret(await getSecret(required(env, connectedProvider(provider)!.secretArnVariable), { maxAge: 300 }), provider),
      linkSecret: async () => parseLinkSecret(await getSecret(required(env, 'SINEW_LINK_SECRET_ARN'), { maxAge: 300 })),
    };
    this.runtimes.set(name, runtime);
    return runtime;
  }

  /** Invokes a function as Lambda does: its runtime, a context with its timeout. */
  async invoke(name: FunctionName, event: unknown): Promise<unknown> {
    const fn = this.stack.functions.get(name)!;
    const deadline = Date.now() + fn.timeoutS * 1000;
    setRuntimeForTests(this.runtime(name));
    // Each function is its own process in Lambda: no secret cached by another one.
    if (this.current !== name) clearCaches();
    this.current = name;
    const context = lambdaContext({ functionName: `sinew-${name}`, memoryMb: fn.memoryMb, requestId: randomUUID(), remainingMs: () => deadline - Date.now() });
    return this.handlers[name](event, context);
  }

  /** Runs `work` as code inside the function: its runtime, its role. */
  async within<T>(name: FunctionName, work: (runtime: Runtime) => Promise<T>): Promise<T> {
    setRuntimeForTests(this.runtime(name));
    if (this.current !== name) clearCaches();
    this.current = name;
    return work(this.runtime(name));
  }

  /** A browser's request to the HTTP API: the matching route's function, or API Gateway's 404. */
  async http(method: 'GET' | 'POST', url: string, opts: { body?: string; contentType?: string; cookies?: string[]; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
    const u = new URL(url);
    const base = new URL(this.stack.baseUrl);
    if (u.origin !== base.origin) throw new Error(`${url} is not on the HTTP API (${base.origin})`);
    for (const route of this.stack.routes) {
      const m = route.method === method ? route.pattern.exec(u.pathname) : null;
      if (!m) continue;
      const query = Object.fromEntries(u.searchParams);
      const rawQueryString = u.search.slice(1);
      const headers: Record<string, string> = { host: u.host, 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)', accept: 'text/html', 'x-forwarded-proto': 'https' };
      if (opts.body !== undefined) headers['content-type'] = opts.contentType ?? 'application/x-www-form-urlencoded';
      Object.assign(headers, opts.headers);
      const event: APIGatewayProxyEventV2 = {
        version: '2.0',
        routeKey: route.routeKey,
        rawPath: u.pathname,
        rawQueryString,
        ...(opts.cookies && opts.cookies.length > 0 ? { cookies: opts.cookies } : {}),
        headers,
        ...(rawQueryString ? { queryStringParameters: query } : {}),
        ...(route.params.length > 0 ? { pathParameters: Object.fromEntries(route.params.map((p, i) => [p, decodeURIComponent(m[i + 1]!)])) } : {}),
        requestContext: {
          accountId: ACCOUNT, apiId: API_ID, domainName: u.host, domainPrefix: API_ID,
          http: { method, path: u.pathname, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: headers['user-agent']! },
          requestId: randomUUID(), routeKey: route.routeKey, stage: '$default', time: new Date().toUTCString(), timeEpoch: Date.now(),
        },
        // HTTP APIs hand form posts over base64-encoded.
        isBase64Encoded: opts.body !== undefined,
        ...(opts.body !== undefined ? { body: Buffer.from(opts.body).toString('base64') } : {}),
      };
      const res = (await this.invoke(route.fn, event)) as APIGatewayProxyStructuredResultV2;
      return { status: res.statusCode ?? 200, headers: (res.headers ?? {}) as Record<string, string>, cookies: res.cookies ?? [], body: res.body ?? '', fn: route.fn };
    }
    return { status: 404, headers: { 'content-type': 'application/json' }, cookies: [], body: '{"message":"Not Found"}' };
  }

  /** The function's schedule firing at the current time, with the input the stack templates. */
  async tick(name: FunctionName): Promise<unknown> {
    const input = this.stack.schedules.get(name);
    if (!input) throw new Error(`no schedule invokes ${name}`);
    const event = JSON.parse(
      input
        .replace('<aws.scheduler.scheduled-time>', new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'))
        .replace('<aws.scheduler.execution-id>', randomUUID())
        .replace('<aws.scheduler.schedule-arn>', `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/${name}`)
        .replace('<aws.scheduler.attempt-number>', '1'),
    ) as unknown;
    return this.invoke(name, event);
  }

  /** The queue a function's environment variable names. */
  queueOf(url: string): DeployedQueue {
    const queue = this.stack.queues.find((q) => q.url === url);
    if (!queue) throw new Error(`${url} is no queue of the stack`);
    return queue;
  }

  /** Delivers what waits in a queue, batch by batch, to its consumer, until it is empty. */
  async drain(url: string, maxBatches = 50): Promise<Delivery[]> {
    const queue = this.queueOf(url);
    if (!queue.consumer) throw new Error(`${queue.logicalId} has no consumer`);
    const out: Delivery[] = [];
    const waiting = this.pending.get(url) ?? [];
    while (waiting.length > 0) {
      if (out.length >= maxBatches) throw new Error(`${queue.logicalId} still has messages after ${maxBatches} batches`);
      const records = waiting.splice(0, queue.batchSize).map((e) => this.recordOf(queue, e));
      out.push({ fn: queue.consumer, records, response: await this.deliver(queue.consumer, records) });
    }
    return out;
  }

  /** Delivers records (again) to a function, as its event source mapping does. */
  async deliver(name: FunctionName, records: SQSRecord[]): Promise<SQSBatchResponse> {
    return (await this.invoke(name, { Records: records })) as SQSBatchResponse;
  }

  restore(): void {
    for (const m of this.mocks) m.restore();
    setRuntimeForTests(undefined);
  }

  private recordOf(queue: DeployedQueue, entry: SendMessageBatchRequestEntry): SQSRecord {
    const messageId = `msg-${(this.messageIds += 1)}`;
    const record = queue.fifo
      ? fifoRecord({ body: entry.MessageBody!, groupId: entry.MessageGroupId!, dedupId: entry.MessageDeduplicationId!, messageId })
      : sqsRecord(messageId, entry.MessageBody!);
    return { ...record, eventSourceARN: queue.arn };
  }

  /** SendMessageBatch as SQS answers it; a FIFO queue drops a deduplication id seen in the last 5 minutes. */
  private receive(url: string, entries: SendMessageBatchRequestEntry[]) {
    const queue = this.queueOf(url);
    if (entries.length > 10) throw Object.assign(new Error('too many entries'), { name: 'TooManyEntriesInBatchRequest' });
    for (const e of entries) {
      if (queue.fifo && (!e.MessageGroupId || !e.MessageDeduplicationId)) {
        throw Object.assign(new Error('FIFO entries need MessageGroupId and MessageDeduplicationId'), { name: 'MissingParameter' });
      }
      this.sent.push({ ...e, QueueUrl: url });
      const key = `${url}\n${e.MessageDeduplicationId}`;
      if (queue.fifo && (this.dedup.get(key) ?? -Infinity) > Date.now() - 5 * 60_000) continue;
      if (queue.fifo) this.dedup.set(key, Date.now());
      // In place: a drain in progress sees what its deliveries send (continuations).
      const waiting = this.pending.get(url) ?? [];
      waiting.push(e);
      this.pending.set(url, waiting);
    }
    return { Successful: entries.map((e) => ({ Id: e.Id, MessageId: randomUUID(), MD5OfMessageBody: '' })), Failed: [] };
  }
}

/** Google as the stack's connect and sync functions reach it: OAuth, Gmail and Calendar on one loopback server. */
export interface Google {
  emulator: GoogleEmulator;
  oauth: GoogleOAuthEmulator;
  mailbox: GmailMailbox;
  calendar: CalendarState;
}

/**
 * The emulators as startGoogleWorld builds them, with the HTTP API's callback registered as
 * the OAuth client's redirect URI (a Web client, as the admin sets it up).
 */
export async function startGoogle(opts: { email: string; redirectUri: string; mailbox: GmailMailbox; calendar: CalendarState }): Promise<Google> {
  const oauth = new GoogleOAuthEmulator({ ...TEST_CLIENT, user: { email: opts.email, sub: '1000001' }, redirectUris: [opts.redirectUri], clock: dateClock });
  const ledger = new QuotaLedger({ clock: dateClock, limit: GMAIL_QUOTA_2026.limit, windowMs: GMAIL_QUOTA_2026.windowMs });
  const emulator = await startGoogleEmulator({
    clock: dateClock,
    authenticate: (token) => oauth.validateAccessToken(token)?.email ?? null,
    handlers: [
      (req, res, url) => oauth.handle(req, res, url),
      gmailHandler(opts.mailbox, { ledger, costs: GMAIL_QUOTA_2026.costs }),
      calendarHandler(opts.calendar, { quotaPerWindow: GCAL_QUOTA.limit }),
    ],
  });
  return { emulator, oauth, mailbox: opts.mailbox, calendar: opts.calendar };
}

/** The variables that point the connect and sync functions at Google: Google's own endpoints by default, and infra sets none. */
const GOOGLE_ENDPOINT_VARIABLES = ['SINEW_GOOGLE_AUTH_URL', 'SINEW_GOOGLE_TOKEN_URL', 'SINEW_GOOGLE_API_ROOT'] as const;

/** Points the handlers at `google`'s emulator through the SINEW_GOOGLE_* variables; the returned function puts them back. */
export function pointHandlersAt(google: Google): () => void {
  const saved = GOOGLE_ENDPOINT_VARIABLES.map((k) => [k, process.env[k]] as const);
  process.env.SINEW_GOOGLE_AUTH_URL = `${google.emulator.url}o/oauth2/v2/auth`;
  process.env.SINEW_GOOGLE_TOKEN_URL = `${google.emulator.url}token`;
  process.env.SINEW_GOOGLE_API_ROOT = google.emulator.url;
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** Flushing metrics would print EMF to stdout: each flush drops the buffer instead (a spy, undone by vi.restoreAllMocks). */
export function dropMetricFlushes(): void {
  vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
    metrics.clearMetrics();
    return metrics;
  });
}
