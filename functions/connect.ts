import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { loadConfig } from '#lib/config.ts';
import { SesMailer } from '#lib/mail/ses-mailer.ts';
import { GoogleOAuth } from '#lib/providers/google/oauth.ts';
import { MsOAuth } from '#lib/providers/microsoft/oauth.ts';
import { SqsSyncQueue } from '#lib/queue/sqs.ts';
import { createConnectApp, type ConnectAppDeps, type ProviderConsent } from '#lib/web/connect-app.ts';
import { messagePage } from '#lib/web/connect-pages.ts';
import { htmlResponse, type WebResponse } from '#lib/web/http.ts';
import { ConfigError } from '#lib/errors.ts';
import type { WebApp } from '#lib/web/router.ts';
import { required, type LambdaEnv } from '#functions/shared/env.ts';
import { toApiResult, toWebRequest } from '#functions/shared/http.ts';
import { logger, metrics, tracer } from '#functions/shared/observability.ts';
import { getRuntime, type Runtime } from '#functions/shared/runtime.ts';

/**
 * `GET /`, `GET /connect/{provider}`, `GET /oauth/{provider}/callback`: the connect page
 * and the OAuth flow. The web logic lives in lib/web/connect-app.ts; this adapts API
 * Gateway HTTP API events to it and builds its parts from the runtime.
 */
async function lambdaHandler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    const runtime = getRuntime();
    const filled = await filledProviders(runtime);
    if (filled.length === 0) return toApiResult(notSetUp());
    return toApiResult(await appFor(runtime, filled)(toWebRequest(event)));
  } catch (err) {
    // The class and a scrubbed message: enough to find the fault, never a token or an address.
    const e = err instanceof Error ? err : new Error(String(err));
    logger.error('connect request failed', { errorName: e.name, errorMessage: scrub(e.message), path: event.rawPath });
    return toApiResult(
      htmlResponse(
        500,
        messagePage({
          title: 'Something went wrong',
          reason: 'Sinew could not finish this request. Please try again in a few minutes; if it keeps happening, tell your administrator.',
        }),
      ),
    );
  }
}

type Provider = 'google' | 'microsoft';

/**
 * The providers whose OAuth secret the admin has filled. The stack creates both secrets
 * with a placeholder; a provider whose secret still holds it gets no button (and its
 * paths answer "not configured") instead of a button that can only fail. Read through
 * the runtime's 5-minute cache, so filling a secret shows its button within minutes.
 */
async function filledProviders(runtime: Runtime): Promise<Provider[]> {
  const arns: Record<Provider, string | undefined> = { google: runtime.env.SINEW_GOOGLE_SECRET_ARN, microsoft: runtime.env.SINEW_MICROSOFT_SECRET_ARN };
  const filled: Provider[] = [];
  for (const provider of ['google', 'microsoft'] as const) {
    if (!arns[provider]) continue;
    try {
      await runtime.oauthClient(provider);
      filled.push(provider);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      logger.warn('OAuth client secret not filled: provider hidden', { provider, secretArn: arns[provider] });
    }
  }
  return filled;
}

/** Neither OAuth secret is filled: say so, and what the admin must do. */
function notSetUp(): WebResponse {
  return htmlResponse(
    503,
    messagePage({
      title: 'Sinew is not set up yet',
      reason: 'No mailbox provider is configured: the Google and Microsoft OAuth client secrets still hold their placeholders.',
      next: 'Administrator: fill GoogleClientSecretArn and/or MicrosoftClientSecretArn (stack outputs) with {"clientId":"…","clientSecret":"…"}; see the README, Deploying to AWS, step 2. The page works within 5 minutes, with no redeploy.',
    }),
  );
}

let built: { runtime: Runtime; key: string; app: WebApp } | undefined;

/** One app per runtime and set of filled providers (per cold start; tests swap the runtime). */
function appFor(runtime: Runtime, filled: readonly Provider[]): WebApp {
  const key = filled.join(',');
  if (built?.runtime !== runtime || built.key !== key) built = { runtime, key, app: buildApp(runtime, filled) };
  return built.app;
}

function buildApp(runtime: Runtime, filled: readonly Provider[]): WebApp {
  const env = runtime.env;
  // Endpoints default to Google's; SINEW_GOOGLE_AUTH_URL/TOKEN_URL point them at a proxy or an emulator.
  const google = loadConfig({ SINEW_GOOGLE_AUTH_URL: process.env.SINEW_GOOGLE_AUTH_URL, SINEW_GOOGLE_TOKEN_URL: process.env.SINEW_GOOGLE_TOKEN_URL });
  const providers: Partial<Record<'google' | 'microsoft', () => Promise<ProviderConsent>>> = {};
  if (filled.includes('google')) {
    // Built per request from the cached secret (Powertools, 5 minutes), so a rotated client secret is picked up.
    providers.google = async () => {
      const client = await runtime.oauthClient('google');
      return new GoogleOAuth({ ...client, authUrl: google.SINEW_GOOGLE_AUTH_URL, tokenUrl: google.SINEW_GOOGLE_TOKEN_URL });
    };
  }
  if (filled.includes('microsoft')) {
    // MsOAuth.create resolves the authority (a network call): once per client secret.
    let ms: { key: string; oauth: Promise<MsOAuth> } | undefined;
    providers.microsoft = async () => {
      const client = await runtime.oauthClient('microsoft');
      const key = `${client.clientId}\n${client.clientSecret}`;
      if (ms?.key !== key) {
        const oauth = MsOAuth.create({ ...client, authority: env.SINEW_MS_AUTHORITY });
        ms = { key, oauth };
        oauth.catch(() => {
          if (ms?.oauth === oauth) ms = undefined;
        });
      }
      return ms.oauth;
    };
  }
  const mail = joinMail(env);
  if (!mail) logger.warn('SINEW_SENDER is not set: a mailbox joining a person is stored without telling the two addresses');
  return createConnectApp({
    store: runtime.store,
    vault: runtime.vault,
    syncQueue: new SqsSyncQueue(runtime.sqs, required(env, 'SINEW_SYNC_QUEUE_URL')),
    secret: () => runtime.linkSecret(),
    providers,
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

let ses: SESv2Client | undefined;

/**
 * The SES mailer of the join notices (the sender and configuration set the report worker
 * uses), or undefined when the stack gave no sender.
 */
function joinMail(env: LambdaEnv): ConnectAppDeps['mail'] {
  if (!env.SINEW_SENDER) return undefined;
  ses ??= new SESv2Client({});
  const mailer = new SesMailer({ client: ses, ...(env.SINEW_SES_CONFIGURATION_SET ? { configurationSetName: env.SINEW_SES_CONFIGURATION_SET } : {}) });
  return { mailer, sender: env.SINEW_SENDER };
}

/** Addresses and long token-like runs out of a message before it is logged. */
function scrub(message: string): string {
  return message.replace(/[^\s@'"<>()]+@[^\s@'"<>()]+/g, '<address>').replace(/[A-Za-z0-9._~+/=-]{40,}/g, '<redacted>');
}

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger)).use(captureLambdaHandler(tracer)).use(logMetrics(metrics));
