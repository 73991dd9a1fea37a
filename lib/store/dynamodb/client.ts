import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface DynamoClientOptions {
  /** A local or other DynamoDB endpoint (`SINEW_DYNAMODB_ENDPOINT`); default: AWS. */
  endpoint?: string;
  /** Default: the SDK's region chain, or `us-east-1` for an explicit endpoint. */
  region?: string;
}

/**
 * A DynamoDB client for AWS or for a local endpoint. A local endpoint (dynalite) checks no
 * signature, so it gets dummy credentials: the default chain would fail on a machine with
 * no AWS profile, and must never pick up real keys for a local store.
 *
 * The SDK's logger middleware is taken out: with no logger configured it still builds a
 * filtered copy of every request and response (every item of every batch) for a logger
 * that drops it: about a tenth of the client's time in a large import. Sinew gives the
 * SDK no logger (store failures surface as StoreError).
 */
export function makeDynamoClient(options: DynamoClientOptions = {}): DynamoDBClient {
  const client =
    options.endpoint === undefined
      ? new DynamoDBClient(options.region === undefined ? {} : { region: options.region })
      : new DynamoDBClient({
          endpoint: options.endpoint,
          region: options.region ?? 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        });
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}
