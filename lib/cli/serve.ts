import { loadConfig, type Config } from '#lib/config.ts';
import { ANYONE } from '#lib/connect/sign-up.ts';
import { InputError } from '#lib/errors.ts';
import { startWebServer, type LocalWebServer } from '#lib/local/web-server.ts';
import { SmtpMailer } from '#lib/mail/smtp-mailer.ts';
import { CONNECTED_PROVIDERS, type ConnectedProvider, type ProviderConsent } from '#lib/providers/registry.ts';
import { providerConsentsFromConfig } from '#lib/providers/consents.ts';
import { grantRevokerFromConfig } from '#lib/providers/revocation.ts';
import type { JobQueue, SyncJob } from '#lib/queue/jobs.ts';
import { createConnectApp } from '#lib/web/connect-app.ts';
import { createLinksApp, type LinksLog } from '#lib/web/links-app.ts';
import { routeByPrefix, type PrefixRoute, type WebApp } from '#lib/web/router.ts';
import { localVault } from './connect.ts';
import { openCliContext, type CliContext, type GlobalFlags } from './context.ts';
import { localLinkSecret } from './report.ts';

export interface ServeFlags extends GlobalFlags {
  /** 0 picks a free port. @default 8787, the port of SINEW_BASE_URL's default */
  port?: number;
  /** Only loopback: lib/local/web-server.ts binds 127.0.0.1 and nothing else. @default 127.0.0.1 */
  host?: string;
}

/** A running `sinew serve`: where it answers, what it serves, and how to stop it. */
export interface RunningServe {
  /** Its origin, e.g. `http://127.0.0.1:8787` (no trailing slash). */
  url: string;
  /** The path prefixes answered, e.g. `['/l/', '/']`. */
  paths: string[];
  /** The sync jobs the connect page asked for (a connected mailbox each); `sinew sync` runs them. */
  syncJobs: readonly SyncJob[];
  /** Stops the server, then closes the store. Safe to call twice. */
  close(): Promise<void>;
}

/** The port of SINEW_BASE_URL's default, so links in reports sent locally land here. */
export const DEFAULT_SERVE_PORT = 8787;

/** The only address the local web server binds (lib/local/web-server.ts has no host option). */
const LOOPBACK = '127.0.0.1';

/**
 * Starts the local web server of `sinew serve` on the local store: the signed links of
 * reports sent with `sinew report --send` (`/l/{token}`), and, when a Google or Microsoft
 * OAuth client is configured, the connect page (`/`, `/connect/{provider}`,
 * `/oauth/{provider}/callback`) with its redirect URI on this server's origin. Returns a
 * handle rather than waiting, so callers (and tests) decide when to stop.
 */
export async function startServe(flags: ServeFlags, out: (line: string) => void, now: () => Date): Promise<RunningServe> {
  checkHost(flags.host);
  const config = loadConfig();
  const ctx = await openCliContext(flags);
  let server: LocalWebServer;
  const syncQueue = new LocalSyncQueue(ctx, out);
  const routes: PrefixRoute[] = [];
  // The join notices go out over SMTP when one is configured (as `sinew report --send`);
  // without it a join is stored and a line says no notice went out.
  const mailer = config.SINEW_SMTP_URL ? new SmtpMailer({ url: config.SINEW_SMTP_URL, clock: now }) : undefined;
  try {
    const [secret, vault] = await Promise.all([localLinkSecret(flags), localVault(flags)]);
    const linkSecret = async (): Promise<Uint8Array> => secret;
    const consents = providerConsentsFromConfig(config);
    const configured = CONNECTED_PROVIDERS.filter((p) => p.configured(config));
    // A provider without a client in the environment has no button, and its grants are not revoked.
    const providers: Partial<Record<ConnectedProvider, () => Promise<ProviderConsent>>> = Object.fromEntries(
      configured.map((p) => [p.id, consents[p.id]]),
    );
    routes.push({
      prefix: '/l/',
      app: createLinksApp({
        store: ctx.store,
        vault,
        now,
        linkSecret,
        // Disconnect revokes a grant where the provider lets Sinew; without its client configured, it says where to remove it.
        revoker: grantRevokerFromConfig(config),
        log: linksLog(out),
      }),
    });
    if (configured.length > 0) {
      routes.push({
        prefix: '/',
        // Anyone: this is one person's machine, served on loopback only, and whoever can
        // reach it can already read the local store. In AWS the admin must choose.
        app: createConnectApp({
          store: ctx.store,
          vault,
          syncQueue,
          secret: linkSecret,
          providers,
          allowedDomains: [ANYONE],
          now,
          ...(mailer ? { mail: { mailer, sender: config.SINEW_REPORT_FROM } } : {}),
          log: linksLog(out),
        }),
      });
    }
    server = await startWebServer(reportingFailures(routeByPrefix(routes), out), { port: flags.port ?? DEFAULT_SERVE_PORT });
  } catch (err) {
    mailer?.close();
    await ctx.close();
    throw listenError(err, flags.port ?? DEFAULT_SERVE_PORT);
  }
  announce(server.url, routes, config, out);

  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    paths: routes.map((r) => r.prefix),
    syncJobs: syncQueue.sent,
    close: () => (closing ??= server.close().finally(() => {
      mailer?.close();
      return ctx.close();
    })),
  };
}

/**
 * `sinew serve`: {@link startServe}, then waits until `stop` aborts (by default SIGINT or
 * SIGTERM) and closes the server and the store.
 */
export async function runServe(flags: ServeFlags, out: (line: string) => void, now: () => Date, stop?: AbortSignal): Promise<void> {
  const signals = stop ? undefined : stopOnSignals();
  try {
    const running = await startServe(flags, out, now);
    await aborted(stop ?? signals!.signal);
    out('stopping');
    await running.close();
  } finally {
    signals?.dispose();
  }
}

/**
 * The connect page's sync queue here: there is no worker, so it keeps the job, makes the
 * person the CLI's default user (as `sinew connect` does) and says what runs the sync.
 */
class LocalSyncQueue implements JobQueue<SyncJob> {
  readonly sent: SyncJob[] = [];
  constructor(
    private readonly ctx: CliContext,
    private readonly out: (line: string) => void,
  ) {}

  async send(jobs: readonly SyncJob[]): Promise<void> {
    for (const job of jobs) {
      this.sent.push(job);
      await this.ctx.setDefaultUser(job.userId);
      this.out(`connected a mailbox (${job.accountId}); run \`sinew sync\` to fetch its mail and meeting metadata`);
    }
  }
}

function checkHost(host: string | undefined): void {
  if (host === undefined || host === LOOPBACK || host === 'localhost') return;
  throw new InputError(`--host: only ${LOOPBACK} is supported, the local server binds loopback only (got '${host}')`);
}

/** A port already taken is the usual failure: say so with the flag that fixes it. */
function listenError(err: unknown, port: number): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') return new InputError(`--port ${port} is already in use on ${LOOPBACK} (another sinew serve?); choose another with --port`);
  if (code === 'EACCES') return new InputError(`--port ${port} needs privileges on this machine; choose a port above 1023`);
  return err;
}

/** The app's own failures are pages; a throw reaching here is a bug, so it is printed (the server answers 500). */
function reportingFailures(app: WebApp, out: (line: string) => void): WebApp {
  return async (req) => {
    try {
      return await app(req);
    } catch (err) {
      out(`${req.method} ${req.path.startsWith('/l/') ? '/l/…' : req.path} failed: ${(err as Error)?.message ?? String(err)}`);
      throw err;
    }
  };
}

/** Link and connect events as one line each; ids and tokens stay out of the terminal. */
function linksLog(out: (line: string) => void): LinksLog {
  const line = (message: string, attrs: Record<string, string | number | boolean>): void => {
    const shown = Object.entries(attrs).filter(([k]) => k !== 'userId' && k !== 'accountId');
    out(`${message}${shown.length > 0 ? ` (${shown.map(([k, v]) => `${k} ${String(v)}`).join(', ')})` : ''}`);
  };
  return { info: line, warn: line };
}

function announce(url: string, routes: readonly PrefixRoute[], config: Config, out: (line: string) => void): void {
  out(`sinew serve: listening on ${url} (loopback only)`);
  out(`  ${url}/l/…  the links of reports sent with \`sinew report --send\` (answers, pause, a contact's notes page)`);
  if (routes.some((r) => r.prefix === '/')) {
    const names = CONNECTED_PROVIDERS.filter((p) => p.configured(config)).map((p) => p.label);
    out(`  ${url}/  the connect page (${names.join(', ')}); redirect URI ${url}/oauth/{${CONNECTED_PROVIDERS.map((p) => p.id).join('|')}}/callback`);
  } else {
    out('  no connect page: set SINEW_GOOGLE_CLIENT_ID or SINEW_MS_CLIENT_ID to offer one');
  }
  const base = config.SINEW_BASE_URL.replace(/\/+$/, '');
  if (base !== url) out(`note: SINEW_BASE_URL is ${base}, so links in sent reports point there, not here`);
  out('press Ctrl+C to stop');
}

/** An AbortSignal that fires on SIGINT or SIGTERM, with its listeners removable. */
function stopOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
