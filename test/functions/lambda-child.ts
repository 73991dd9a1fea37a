/**
 * One Lambda invocation of a production handler in a process of its own (run with
 * `node --import tsx`), for what only a fresh process has: the trust store Node builds at
 * start-up (NODE_EXTRA_CA_CERTS), the runtime built by functions/shared/runtime.ts from the
 * environment alone, the provider clients built by the handler's own defaults. The parent
 * test starts it with the function's environment as the stack sets it, plus:
 *
 * - `SINEW_TEST_FUNCTION`: which functions/*.ts to load;
 * - `SINEW_TEST_EVENT`: the event, JSON;
 * - `SINEW_TEST_KMS_KEY`: the master key of the stateless KMS stand-in (hex), shared with the parent;
 * - `SINEW_TEST_SECRETS`: Secrets Manager's answers, `{ arn: value }`;
 * - `SINEW_TEST_RESULT`: where to write `{ response, error, sqs, ses, kms }`.
 *
 * AWS services without a local stand-in (KMS, Secrets Manager, SQS, SES) are mocked at the
 * SDK, here in the child; DynamoDB is the parent's dynalite, over loopback.
 */
import { writeFileSync } from 'node:fs';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { lambdaContext } from '#test/support/lambda.ts';
import { fakeKms } from './fake-kms.ts';

/** What the child reports back. */
export interface ChildResult {
  response?: unknown;
  error?: string;
  sqs: Array<SendMessageBatchRequestEntry & { QueueUrl: string }>;
  ses: Array<{ from?: string; to?: string[]; configurationSet?: string }>;
  kms: string[];
}

function take(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  delete process.env[name];
  return value;
}

const fn = take('SINEW_TEST_FUNCTION');
const event = JSON.parse(take('SINEW_TEST_EVENT')) as unknown;
const kms = fakeKms(Buffer.from(take('SINEW_TEST_KMS_KEY'), 'hex'));
const secretValues = JSON.parse(take('SINEW_TEST_SECRETS')) as Record<string, string>;
const resultFile = take('SINEW_TEST_RESULT');

const result: ChildResult = { sqs: [], ses: [], kms: [] };
mockClient(SecretsManagerClient).on(GetSecretValueCommand).callsFake(async (input: { SecretId: string }) => {
  const value = secretValues[input.SecretId];
  if (value === undefined) throw new ResourceNotFoundException({ message: `Secrets Manager can't find ${input.SecretId}`, $metadata: {} });
  return { ARN: input.SecretId, SecretString: value };
});
mockClient(SQSClient).on(SendMessageBatchCommand).callsFake(async (input: { QueueUrl: string; Entries: SendMessageBatchRequestEntry[] }) => {
  result.sqs.push(...input.Entries.map((e) => ({ ...e, QueueUrl: input.QueueUrl })));
  return { Successful: input.Entries.map((e, i) => ({ Id: e.Id, MessageId: `m-${result.sqs.length}-${i}`, MD5OfMessageBody: '' })), Failed: [] };
});
mockClient(SESv2Client).on(SendEmailCommand).callsFake(async (input: { FromEmailAddress?: string; Destination?: { ToAddresses?: string[] }; ConfigurationSetName?: string }) => {
  result.ses.push({
    ...(input.FromEmailAddress ? { from: input.FromEmailAddress } : {}),
    ...(input.Destination?.ToAddresses ? { to: input.Destination.ToAddresses } : {}),
    ...(input.ConfigurationSetName ? { configurationSet: input.ConfigurationSetName } : {}),
  });
  return { MessageId: `ses-${result.ses.length}` };
});

const { handler } = (await import(`../../functions/${fn}.ts`)) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
const deadline = Date.now() + 5 * 60_000;
try {
  result.response = await handler(event, lambdaContext({ functionName: `sinew-${fn}`, remainingMs: () => deadline - Date.now() }));
} catch (err) {
  result.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
result.kms = kms.calls.map((c) => c.op);
writeFileSync(resultFile, JSON.stringify(result));
// Keep-alive sockets (Graph, MSAL, DynamoDB) would hold the process open: the invocation is over.
process.exit(0);
