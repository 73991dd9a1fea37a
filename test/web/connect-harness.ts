import { randomBytes } from 'node:crypto';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { MemoryQueue } from '#test/support/memory-queue.ts';
import type { SyncJob } from '#lib/queue/jobs.ts';
import { GoogleOAuth } from '#lib/providers/google/oauth.ts';
import { createConnectApp, type ConnectAppDeps } from '#lib/web/connect-app.ts';
import type { WebRequest, WebResponse } from '#lib/web/http.ts';
import type { WebApp } from '#lib/web/router.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { GoogleOAuthEmulator, serveOnLoopback } from '#test/support/google/oauth-emulator.ts';
import { TEST_CLIENT } from '#test/support/google/world.ts';

/**
 * The connect app over real parts: dynalite, the Google OAuth emulator, a local vault and
 * a memory queue; the test plays the browser (cookies by hand, redirects followed one by one).
 * The OAuth emulator is served alone rather than in the Google world (world.ts), whose
 * server demands a bearer token on `/revoke` and so would refuse a revocation.
 */
export interface ConnectHarness {
  dynamo: TestDynamo;
  emulator: GoogleOAuthEmulator;
  /** Our Google OAuth client, pointed at the emulator. */
  oauth: GoogleOAuth;
  /** The emulator's authorization endpoint. */
  authUrl: string;
  store: ReturnType<TestDynamo['store']>;
  vault: LocalKeyVault;
  secret: Buffer;
  /** The app's clock (epoch ms), moved by tests. */
  clock: { t: number };
  /** The public origin requests come in on (its callback is registered with the emulator). */
  origin: string;
  /** A fresh app and its queue, with overrides. */
  app(overrides?: Partial<ConnectAppDeps>): { app: WebApp; queue: MemoryQueue<SyncJob> };
  close(): Promise<void>;
}

export const T0 = Date.UTC(2026, 10, 23, 9, 30);
const ORIGIN = 'https://connect.example.com';

export async function startConnectHarness(): Promise<ConnectHarness> {
  const dynamo = await startTestDynamo();
  const emulator = new GoogleOAuthEmulator({
    ...TEST_CLIENT,
    user: { email: 'ann@acme.com', sub: '1000001' },
    redirectUris: [`${ORIGIN}/oauth/google/callback`],
  });
  const server = await serveOnLoopback(emulator.handle);
  const authUrl = `${server.url}/o/oauth2/v2/auth`;
  const oauth = new GoogleOAuth({ ...TEST_CLIENT, authUrl, tokenUrl: `${server.url}/token` });
  const store = dynamo.store();
  const vault = LocalKeyVault.fromKey(randomBytes(32));
  const secret = randomBytes(32);
  const clock = { t: T0 };
  return {
    dynamo,
    emulator,
    oauth,
    authUrl,
    store,
    vault,
    secret,
    clock,
    origin: ORIGIN,
    app: (overrides = {}) => {
      const queue = new MemoryQueue<SyncJob>();
      const app = createConnectApp({
        store,
        vault,
        syncQueue: queue,
        secret: async () => secret,
        providers: { google: async () => oauth },
        // Anyone may sign up unless a test says otherwise (the admin's explicit choice).
        allowedDomains: ['*'],
        now: () => new Date(clock.t),
        ...overrides,
      });
      return { app, queue };
    },
    close: async () => {
      await server.close();
      await dynamo.close();
    },
  };
}

/** A GET as the browser sends it. */
export function get(origin: string, path: string, query: Record<string, string> = {}, cookies: Record<string, string> = {}): WebRequest {
  return { method: 'GET', path, query, headers: {}, cookies, origin };
}

/** The cookies a response sets, by name (value and the full Set-Cookie line). */
export function setCookies(res: WebResponse): Record<string, { value: string; line: string }> {
  const out: Record<string, { value: string; line: string }> = {};
  for (const line of res.cookies ?? []) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    out[pair!.slice(0, eq)] = { value: pair!.slice(eq + 1), line };
  }
  return out;
}

/** Follows the provider's consent page (answered at once by the emulator) back to our callback. */
export async function consentAt(authorizationUrl: string): Promise<URL> {
  const res = await fetch(authorizationUrl, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (!location) throw new Error(`the emulator did not redirect (status ${res.status}): ${await res.text()}`);
  return new URL(location);
}

/**
 * Starts a connect at `/connect/google` (with the browser's `cookies`, e.g. its join
 * cookie), consents, and returns the callback request with the browser's cookies.
 */
export async function throughConsent(
  app: WebApp,
  origin: string,
  query: Record<string, string> = {},
  browserCookies: Record<string, string> = {},
): Promise<{ callback: WebRequest; cookies: Record<string, string>; start: WebResponse }> {
  const start = await app(get(origin, '/connect/google', query, browserCookies));
  if (start.status !== 302) throw new Error(`connect start answered ${start.status}: ${start.body}`);
  const cookies = { ...browserCookies, ...Object.fromEntries(Object.entries(setCookies(start)).map(([k, v]) => [k, v.value])) };
  const back = await consentAt(start.headers.location!);
  return { callback: get(origin, back.pathname, Object.fromEntries(back.searchParams), cookies), cookies, start };
}
