/**
 * The Microsoft emulator (server.ts: https, token check, throttling, faults, request log)
 * with the identity platform and the Graph calendar, and an account connected through the
 * real MSAL, whose Graph client is the real one.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import { createPkce } from '#lib/connect/pkce.ts';
import { fetchTrusting, graphClient } from '#lib/providers/microsoft/graph-client.ts';
import { MsOAuth } from '#lib/providers/microsoft/oauth.ts';
import { GraphCalendar } from '#test/support/microsoft/graph-calendar.ts';
import { IdentityPlatform } from '#test/support/microsoft/identity.ts';
import { startMicrosoftEmulator, type MicrosoftEmulator } from '#test/support/microsoft/server.ts';
import type { Clock } from '#lib/time/clock.ts';

export const MAILBOX = 'ada@contoso.example';

export interface MsWorld {
  server: MicrosoftEmulator;
  identity: IdentityPlatform;
  calendar: GraphCalendar;
  client: Client;
  close(): Promise<void>;
}

/** Starts the emulators and connects {@link MAILBOX} (authorize, PKCE, code exchange through MSAL). */
export async function startMsWorld(clock?: Clock): Promise<MsWorld> {
  const identity = new IdentityPlatform();
  identity.addUser(MAILBOX);
  const calendar = new GraphCalendar();
  const server = await startMicrosoftEmulator({
    handlers: [identity.handler, calendar.handler],
    authenticate: (token) => identity.validateAccessToken(token)?.mailbox ?? null,
    ...(clock ? { clock } : {}),
  });
  const oauth = await MsOAuth.create({ clientId: identity.clientId, authority: `${server.url}/common`, ca: server.ca });
  const pkce = await createPkce();
  const redirectUri = 'http://127.0.0.1:8400/callback';
  const consent = await fetchTrusting(server.ca)(oauth.authorizationUrl({ state: 's', codeChallenge: pkce.challenge, redirectUri }));
  const code = new URL(consent.headers.get('location')!).searchParams.get('code')!;
  const grant = await oauth.exchangeCode({ code, codeVerifier: pkce.verifier, redirectUri });
  const client = graphClient({ baseUrl: server.graphUrl, ca: server.ca, getAccessToken: async () => grant.accessToken });
  return { server, identity, calendar, client, close: () => server.close() };
}
