import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ConnectedProvider } from '#lib/providers/registry.ts';
import { SqsSyncQueue } from '#lib/queue/sqs.ts';
import { createConnectApp } from '#lib/web/connect-app.ts';
import { messagePage } from '#lib/web/connect-pages.ts';
import { htmlResponse } from '#lib/web/http.ts';
import type { WebApp } from '#lib/web/router.ts';
import { required } from './env.ts';
import { joinMail } from './mail.ts';
import { logger, metrics } from './observability.ts';
import { consentsOf, filledProviders } from './consents.ts';
import type { Runtime } from './runtime.ts';

let built: { runtime: Runtime; key: string; app: WebApp } | undefined;

/**
 * The connect web app (lib/web/connect-app.ts) of this runtime with a button per provider
 * whose OAuth secret is filled; one app per runtime and set of filled providers (per cold
 * start; tests swap the runtime). With no secret filled, every path answers a page that
 * says what the admin must do.
 */
export async function connectApp(runtime: Runtime): Promise<WebApp> {
  const filled = await filledProviders(runtime);
  if (filled.length === 0) return notSetUp;
  const key = filled.join(',');
  if (built?.runtime !== runtime || built.key !== key) built = { runtime, key, app: buildApp(runtime, filled) };
  return built.app;
}

/** Neither OAuth secret is filled: say so, and what the admin must do. */
const notSetUp: WebApp = async () =>
  htmlResponse(
    503,
    messagePage({
      title: 'Sinew is not set up yet',
      reason: 'No mailbox provider is configured: the Google and Microsoft OAuth client secrets still hold their placeholders.',
      next: 'Administrator: fill GoogleClientSecretArn and/or MicrosoftClientSecretArn (stack outputs) with {"clientId":"…","clientSecret":"…"}; see the README, Deploying to AWS, step 2. The page works within 5 minutes, with no redeploy.',
    }),
  );

function buildApp(runtime: Runtime, filled: readonly ConnectedProvider[]): WebApp {
  const env = runtime.env;
  const mail = joinMail(runtime);
  if (!mail) logger.warn('SINEW_SENDER is not set: a mailbox joining a person is stored without telling the two addresses');
  return createConnectApp({
    store: runtime.store,
    vault: runtime.vault,
    syncQueue: new SqsSyncQueue(runtime.sqs, required(env, 'SINEW_SYNC_QUEUE_URL')),
    secret: () => runtime.linkSecret(),
    // Each built on first use from the cached secret, and again when the secret changes.
    providers: consentsOf(runtime, filled),
    // A comma list of domains, or '*' for anyone; empty admits nobody new (lib/connect/sign-up.ts).
    allowedDomains: env.SINEW_ALLOWED_DOMAINS.split(','),
    // The adapter is where the clock is read; everything below takes it as a parameter.
    now: () => new Date(),
    ...(env.SINEW_BASE_URL ? { baseUrl: env.SINEW_BASE_URL } : {}),
    reportHour: env.SINEW_REPORT_HOUR,
    onConnected: (e) => {
      logger.info('mailbox connected', { provider: e.provider, userId: e.userId, accountId: e.accountId, joined: e.joined });
      metrics.addMetric('MailboxConnected', MetricUnit.Count, 1);
    },
    ...(mail ? { mail } : {}),
    log: logger,
  });
}
