import { escapeHtml } from '#lib/html.ts';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { systemClock, type Clock } from '#lib/time/clock.ts';
import type { ConnectedGrant, OAuthConsent } from './consent.ts';
import { ConsentError, InvalidStateError } from './errors.ts';
import { createPkce } from './pkce.ts';
import { createState, randomStateSecret, verifyState } from './state.ts';

export interface LoopbackConsentOptions<G extends ConnectedGrant> {
  /** Names the provider in the signed state ('google', 'microsoft'). */
  provider: string;
  oauth: OAuthConsent<G>;
  /** Opens the consent URL in a browser (`openInBrowser`); omit for `--no-browser`. A failure is not fatal. */
  openUrl?: (url: string) => Promise<void>;
  /** Told the consent URL before the browser opens, so it can be printed as a fallback. */
  onUrl?: (url: string) => void;
  /** How long to wait for the browser to come back. @default 5 minutes */
  timeoutMs?: number;
  /** Signs the state. @default a random secret for this run only */
  stateSecret?: Uint8Array;
  /** Source of "now" for the state's expiry. @default the system clock */
  clock?: Clock;
  /** Waits `ms` unless aborted; the timeout. Injectable so tests need not wait. @default a real timer */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Cancels the flow (Ctrl-C). */
  signal?: AbortSignal;
  /** Pre-fills the provider's account chooser. */
  loginHint?: string;
}

const CALLBACK_PATH = '/callback';
const DEFAULT_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * The desktop OAuth flow (RFC 8252): a one-shot HTTP server on 127.0.0.1 with a random port
 * receives the redirect, PKCE protects the code, and a signed state ties the redirect to this
 * run. Callbacks with a state this run did not issue are answered 400 and ignored (a stray
 * tab must not end the flow); a refusal (`error=access_denied`) or a failed exchange ends it.
 * Resolves with the provider's grant; the server is closed either way.
 */
export async function runLoopbackConsent<G extends ConnectedGrant>(opts: LoopbackConsentOptions<G>): Promise<G> {
  const clock = opts.clock ?? systemClock;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const secret = opts.stateSecret ?? randomStateSecret();
  const sleep = opts.sleep ?? ((ms, signal) => delay(ms, undefined, { signal, ref: false }));
  const pkce = await createPkce();
  const nonce = randomBytes(16).toString('base64url');

  const done = new AbortController();
  let settle!: { resolve: (g: G) => void; reject: (e: unknown) => void };
  const outcome = new Promise<G>((resolve, reject) => (settle = { resolve, reject }));
  // The browser may answer while openUrl is still pending, before the race below listens.
  outcome.catch(() => undefined);
  let redirectUri = '';
  let exchanging = false;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      settle.reject(err);
      if (!res.headersSent) send(res, 500, 'Sinew could not finish connecting', 'Something went wrong; see the terminal.');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) {
      send(res, 404, 'Not found', 'Sinew is waiting for the sign-in to finish.');
      return;
    }
    const q = url.searchParams;
    try {
      verifyState(secret, q.get('state'), { provider: opts.provider, now: clock.now(), nonce });
    } catch (err) {
      if (!(err instanceof InvalidStateError)) throw err;
      send(res, 400, 'This sign-in is not the one Sinew is waiting for', `${err.message}. Use the link printed in the terminal.`);
      return;
    }
    if (exchanging) {
      send(res, 409, 'Already connecting', 'Sinew is already finishing this sign-in in another tab.');
      return;
    }
    exchanging = true;
    const error = q.get('error');
    if (error || !q.get('code')) {
      const denied = error === 'access_denied';
      const why = denied
        ? 'access was declined on the consent screen; run the command again to connect'
        : `the provider answered ${error ?? 'without a code'}${q.get('error_description') ? ` (${q.get('error_description')})` : ''}`;
      await send(res, 400, denied ? 'Not connected' : 'Connecting failed', `Sinew did not connect: ${why}. You can close this tab.`);
      settle.reject(new ConsentError(`Sinew did not connect: ${why}`, denied ? 'denied' : 'code-refused'));
      return;
    }
    try {
      const grant = await opts.oauth.exchangeCode({ code: q.get('code')!, codeVerifier: pkce.verifier, redirectUri });
      await send(res, 200, 'Connected', `Sinew is connected to ${grant.email}. You can close this tab.`);
      settle.resolve(grant);
    } catch (err) {
      await send(res, 400, 'Connecting failed', `${(err as Error).message}. You can close this tab.`);
      settle.reject(err);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  try {
    redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}${CALLBACK_PATH}`;
    const state = createState(secret, { provider: opts.provider, now: clock.now(), ttlMs: timeoutMs, nonce });
    const url = opts.oauth.authorizationUrl({
      state,
      codeChallenge: pkce.challenge,
      redirectUri,
      ...(opts.loginHint ? { loginHint: opts.loginHint } : {}),
    });
    opts.onUrl?.(url);
    // A browser that will not open is no failure: the URL was handed to onUrl.
    if (opts.openUrl) await opts.openUrl(url).catch(() => undefined);

    const timedOut = sleep(timeoutMs, done.signal).then(
      () => {
        throw new ConsentError(
          `no answer from the browser within ${Math.round(timeoutMs / 1000)} s; run the command again (with --no-browser to open the link yourself)`,
          'timeout',
        );
      },
      () => new Promise<never>(() => undefined), // aborted because the flow ended: never settles
    );
    const cancelled = new Promise<never>((_, reject) => {
      const cancel = (): void => reject(new ConsentError('connecting was cancelled', 'cancelled'));
      if (opts.signal?.aborted) cancel();
      opts.signal?.addEventListener('abort', cancel, { once: true, signal: done.signal });
    });
    return await Promise.race([outcome, timedOut, cancelled]);
  } finally {
    done.abort();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }
}

/** Writes a small page; resolves once it is flushed, so closing the server cannot cut it. */
function send(res: ServerResponse, status: number, title: string, message: string): Promise<void> {
  const body =
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>' +
    escapeHtml(title) +
    '</title><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;line-height:1.5"><h1>' +
    escapeHtml(title) +
    '</h1><p>' +
    escapeHtml(message) +
    '</p></body></html>';
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    // The callback URL holds the code: never hand it to another site as a referrer.
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    Connection: 'close',
  });
  return new Promise((resolve) => res.end(body, () => resolve()));
}
