import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { loadConfig } from '../lib/config.ts';
import { GoogleOAuth } from '../lib/providers/google/oauth.ts';
import { MsOAuth } from '../lib/providers/microsoft/oauth.ts';
import { SqsSyncQueue } from '../lib/service/sqs-queues.ts';
import { createConnectApp, type ProviderConsent } from '../lib/web/connect-app.ts';
import { messagePage } from '../lib/web/connect-pages.ts';
import { htmlResponse } from '../lib/web/http.ts';
import type { WebApp } from '../lib/web/router.ts';
import { required } from './shared/env.ts';
import { toApiResult, toWebRequest } from './shared/http.ts';
import { logger, metrics, tracer } from './shared/observability.ts';
import { getRuntime, type Runtime } from './shared/runtime.ts';

/**
 * `GET /`, `GET /connect/{provider}`, `GET /oauth/{provider}/callback`: the connect page
 * and the OAuth flow. The web logic lives in lib/web/connect-app.ts; this adapts API
 * Gateway HTTP API events to it and builds its parts from the runtime.
 */
async function lambdaHandler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    return toApiResult(await appFor(getRuntime())(toWebRequest(event)));
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

let built: { runtime: Runtime; app: WebApp } | undefined;

/** One app per runtime (per cold start; tests swap the runtime). */
function appFor(runtime: Runtime): WebApp {
  if (built?.runtime !== runtime) built = { runtime, app: buildApp(runtime) };
  return built.app;
}

function buildApp(runtime: Runtime): WebApp {
  const env = runtime.env;
  // Endpoints default to Google's; SINEW_GOOGLE_AUTH_URL/TOKEN_URL point them at a proxy or an emulator.
  const google = loadConfig({ SINEW_GOOGLE_AUTH_URL: process.env.SINEW_GOOGLE_AUTH_URL, SINEW_GOOGLE_TOKEN_URL: process.env.SINEW_GOOGLE_TOKEN_URL });
  const providers: Partial<Record<'google' | 'microsoft', () => Promise<ProviderConsent>>> = {};
  if (env.SINEW_GOOGLE_SECRET_ARN) {
    // Built per request from the cached secret (Powertools, 5 minutes), so a rotated client secret is picked up.
    providers.google = async () => {
      const client = await runtime.oauthClient('google');
      return new GoogleOAuth({ ...client, authUrl: google.SINEW_GOOGLE_AUTH_URL, tokenUrl: google.SINEW_GOOGLE_TOKEN_URL });
    };
  }
  if (env.SINEW_MICROSOFT_SECRET_ARN) {
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
  return createConnectApp({
    store: runtime.store,
    vault: runtime.vault,
    syncQueue: new SqsSyncQueue(runtime.sqs, required(env, 'SINEW_SYNC_QUEUE_URL')),
    secret: () => runtime.linkSecret(),
    providers,
    allowedDomains: env.SINEW_ALLOWED_DOMAINS.split(','),
    // The adapter is where the clock is read; everything below takes it as a parameter.
    now: () => new Date(),
    ...(env.SINEW_BASE_URL ? { baseUrl: env.SINEW_BASE_URL } : {}),
    reportHour: env.SINEW_REPORT_HOUR,
    onConnected: (e) => {
      logger.info('mailbox connected', { provider: e.provider, userId: e.userId, accountId: e.accountId, joined: e.joined });
      metrics.addMetric('MailboxConnected', MetricUnit.Count, 1);
    },
  });
}

/** Addresses and long token-like runs out of a message before it is logged. */
function scrub(message: string): string {
  return message.replace(/[^\s@'"<>()]+@[^\s@'"<>()]+/g, '<address>').replace(/[A-Za-z0-9._~+/=-]{40,}/g, '<redacted>');
}

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger)).use(captureLambdaHandler(tracer)).use(logMetrics(metrics));
