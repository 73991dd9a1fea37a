import { GraphClientError, GraphError } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '#lib/errors.ts';
import { graphClient, splitGraphBaseUrl } from '#lib/providers/microsoft/graph-client.ts';
import { graphMailHandler } from '#test/support/microsoft/graph-mail.ts';
import { GraphMailbox } from '#test/support/microsoft/graph-mailbox.ts';
import { startMicrosoftEmulator } from '#test/support/microsoft/server.ts';
import type { MicrosoftEmulator } from '#test/support/microsoft/server.ts';

describe('splitGraphBaseUrl', () => {
  it('splits SINEW_GRAPH_BASE_URL into the client baseUrl, version and token host', () => {
    expect(splitGraphBaseUrl('https://graph.microsoft.com/v1.0')).toEqual({ baseUrl: 'https://graph.microsoft.com', version: 'v1.0', host: 'graph.microsoft.com' });
    expect(splitGraphBaseUrl('https://graph.microsoft.us/beta/')).toEqual({ baseUrl: 'https://graph.microsoft.us', version: 'beta', host: 'graph.microsoft.us' });
    expect(splitGraphBaseUrl('https://proxy.example:8443/graph/v1.0')).toEqual({ baseUrl: 'https://proxy.example:8443/graph', version: 'v1.0', host: 'proxy.example' });
  });

  it('refuses http and a root without a version, naming the variable', () => {
    expect(() => splitGraphBaseUrl('http://127.0.0.1:8080/v1.0')).toThrow(ConfigError);
    expect(() => splitGraphBaseUrl('https://graph.microsoft.com')).toThrow(/SINEW_GRAPH_BASE_URL: must end with the API version/);
  });
});

describe('graphClient', () => {
  let emulator: MicrosoftEmulator;
  const tokens: string[] = [];
  beforeAll(async () => {
    emulator = await startMicrosoftEmulator({
      handlers: [graphMailHandler(new GraphMailbox('me@example.com'))],
      authenticate: (t) => {
        tokens.push(t);
        return 'me';
      },
    });
  });
  afterAll(() => emulator.close());

  it('sends the bearer token to the configured host over https, for relative paths and absolute links', async () => {
    const client = graphClient({ baseUrl: emulator.graphUrl, ca: emulator.ca, getAccessToken: async () => 'secret-token' });
    await expect(client.api('/me?$select=mail').get()).resolves.toMatchObject({ mail: 'me@example.com' });
    await expect(client.api(`${emulator.graphUrl}/me/mailFolders/inbox`).get()).resolves.toMatchObject({ displayName: 'Inbox' });
    expect(tokens).toEqual(['secret-token', 'secret-token']);
    expect(emulator.requests.map((r) => r.path)).toEqual(['/v1.0/me', '/v1.0/me/mailFolders/inbox']);
  });

  it('does not trust the self-signed certificate unless told to', async () => {
    const client = graphClient({ baseUrl: emulator.graphUrl, getAccessToken: async () => 't' });
    const err = await client.api('/me').get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphClientError);
  });

  it('leaves retries to the pacer: a 429 comes straight back as a GraphError with its headers', async () => {
    const client = graphClient({ baseUrl: emulator.graphUrl, ca: emulator.ca, getAccessToken: async () => 't' });
    emulator.fault({ path: '/v1.0/me/mailFolders/sentitems', status: 429, retryAfter: 30 });
    const before = emulator.requests.length;
    const err = (await client.api('/me/mailFolders/sentitems').get().catch((e: unknown) => e)) as GraphError;
    expect(err).toBeInstanceOf(GraphError);
    expect(err.statusCode).toBe(429);
    expect(err.code).toBe('ApplicationThrottled');
    expect(err.headers?.get('retry-after')).toBe('30');
    expect(emulator.requests.length - before).toBe(1);
  });
});
