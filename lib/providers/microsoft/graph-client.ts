import { request as httpsRequest, Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { AuthenticationHandler, Client, GraphClientError, TelemetryHandler } from '@microsoft/microsoft-graph-client';
import type { AuthenticationProvider, Context, Middleware } from '@microsoft/microsoft-graph-client';
import { ConfigError } from '#lib/errors.ts';

/** `SINEW_GRAPH_BASE_URL` taken apart the way the Graph client wants it. */
export interface GraphEndpoint {
  /** Origin plus any path prefix before the version, e.g. `https://graph.microsoft.com`. */
  baseUrl: string;
  /** The API version segment, e.g. `v1.0`. */
  version: string;
  /** Host name without port: what `customHosts` must list for the token to be attached. */
  host: string;
}

/**
 * Splits a Graph root such as `https://graph.microsoft.com/v1.0` into the client's
 * `baseUrl` and `defaultVersion`: the client joins `baseUrl/version/path`, so passing
 * the whole root as `baseUrl` would double the version.
 */
export function splitGraphBaseUrl(root: string): GraphEndpoint {
  let url: URL;
  try {
    url = new URL(root);
  } catch {
    throw new ConfigError(`SINEW_GRAPH_BASE_URL: not a URL (got '${root}')`);
  }
  // The Graph client parses only https:// absolute links and attaches tokens only over https.
  if (url.protocol !== 'https:') throw new ConfigError(`SINEW_GRAPH_BASE_URL: must be https:// (got '${root}')`);
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const version = segments.pop();
  if (version === undefined || !/^(v\d+(\.\d+)?|beta)$/.test(version)) {
    throw new ConfigError(`SINEW_GRAPH_BASE_URL: must end with the API version, e.g. https://graph.microsoft.com/v1.0 (got '${root}')`);
  }
  const prefix = segments.length > 0 ? `/${segments.join('/')}` : '';
  return { baseUrl: `${url.origin}${prefix}`, version, host: url.hostname };
}

/** Options of {@link graphClient}. */
export interface GraphClientOptions {
  /** The Graph root with its version, `SINEW_GRAPH_BASE_URL` (e.g. https://graph.microsoft.com/v1.0). */
  baseUrl: string;
  /**
   * A current access token. `forceRefresh` is true after Graph answered 401, so a token
   * revoked or expired early is replaced rather than sent again. Errors thrown here (a
   * revoked grant: ReconnectRequiredError) reach the caller unchanged.
   */
  getAccessToken: (opts: { forceRefresh: boolean }) => Promise<string>;
  /**
   * Extra PEM certificates to trust besides the public roots: the emulators' self-signed
   * certificate in tests, or a TLS-inspecting proxy. Node reads NODE_EXTRA_CA_CERTS only
   * at start-up, so a per-client trust store is what tests can set.
   */
  ca?: string | string[];
  /** A fetch to send requests with. @default global fetch (or an https fetch trusting `ca`) */
  fetch?: typeof fetch;
}

/**
 * A Graph client for one account. Built with our own middleware chain (authentication,
 * telemetry, fetch) instead of `Client.init`'s default, because the default chain's
 * RetryHandler retries 429/503 on its own with real timers: retries belong to the
 * pacer (createGraphPacer), so each attempt is paced, counted and slept on the
 * injected clock. `customHosts` lists the configured host, so tokens reach emulators
 * and national clouds as they reach graph.microsoft.com.
 *
 * Failures the client raises before any response (the token provider's errors, dropped
 * connections) come out as `GraphClientError` with the original error in `customError`;
 * Graph's own errors come out as `GraphError` (`statusCode`, `code`, `headers`).
 */
export function graphClient(opts: GraphClientOptions): Client {
  const endpoint = splitGraphBaseUrl(opts.baseUrl);
  const send = opts.fetch ?? (opts.ca !== undefined ? fetchTrusting(opts.ca) : fetch);
  let stale = false;
  const auth: AuthenticationProvider = {
    getAccessToken: async () => {
      const forceRefresh = stale;
      stale = false;
      try {
        return await opts.getAccessToken({ forceRefresh });
      } catch (err) {
        throw wrap('access token unavailable', err);
      }
    },
  };
  const terminal: Middleware = {
    execute: async (context: Context) => {
      try {
        context.response = await send(context.request, context.options as RequestInit);
      } catch (err) {
        throw wrap('request failed before a response', err);
      }
      if (context.response.status === 401) stale = true;
    },
  };
  const authentication = new AuthenticationHandler(auth);
  const telemetry = new TelemetryHandler();
  authentication.setNext(telemetry);
  telemetry.setNext(terminal);
  return Client.initWithMiddleware({
    middleware: authentication,
    baseUrl: endpoint.baseUrl,
    defaultVersion: endpoint.version,
    customHosts: new Set([endpoint.host]),
  });
}

/** Keeps `err` intact through the client: GraphClientErrors are rethrown as they are. */
function wrap(what: string, err: unknown): GraphClientError {
  const e = new GraphClientError(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  e.customError = err;
  return e;
}

/**
 * A fetch over node:https with `ca` trusted besides the public roots. Node's global
 * fetch cannot take a trust store per call without undici's Agent, which Node 20 does
 * not expose.
 */
export function fetchTrusting(ca: string | string[]): typeof fetch {
  const agent = new Agent({ ca: [...rootCertificates, ...(Array.isArray(ca) ? ca : [ca])], keepAlive: true });
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((value, key) => {
        headers[key] = value;
      });
      const body = init?.body;
      if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
        reject(new TypeError('fetchTrusting sends string or byte bodies only'));
        return;
      }
      const req = httpsRequest(url, { method: init?.method ?? 'GET', headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const out = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (v === undefined) continue;
            for (const one of Array.isArray(v) ? v : [v]) out.append(k, one);
          }
          const empty = status === 204 || status === 304;
          resolve(new Response(empty ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers: out }));
        });
      });
      req.on('error', reject);
      const signal = init?.signal;
      if (signal) {
        if (signal.aborted) req.destroy(signal.reason as Error);
        else signal.addEventListener('abort', () => req.destroy(signal.reason as Error), { once: true });
      }
      req.end(body ?? undefined);
    });
}
