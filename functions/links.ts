import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { TokenRevoker } from '#lib/links/disconnect.ts';
import { createLinksApp } from '#lib/web/links-app.ts';
import { problemPage } from '#lib/web/links-pages.ts';
import { htmlResponse } from '#lib/web/http.ts';
import { toApiResult, toWebRequest } from '#functions/shared/http.ts';
import { logger, tracer } from '#functions/shared/observability.ts';
import { getRuntime, type Runtime } from '#functions/shared/runtime.ts';

/**
 * `GET /l/{token}` (confirmation page) and `POST /l/{token}` (apply; RFC 8058 one-click
 * unsubscribe; the success page's time-zone answer). The web logic lives in
 * lib/web/links-app.ts; this adapts API Gateway HTTP API events to it.
 */
async function lambdaHandler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const runtime = getRuntime();
  const app = createLinksApp({
    store: runtime.store,
    vault: runtime.vault,
    // The adapter is where the clock is read; everything below takes it as a parameter.
    now: () => new Date(),
    linkSecret: () => runtime.linkSecret(),
    googleRevoker: () => googleRevoker(runtime),
    ...(runtime.env.SINEW_BASE_URL ? { baseUrl: runtime.env.SINEW_BASE_URL } : {}),
    log: logger,
  });
  try {
    return toApiResult(await app(toWebRequest(event)));
  } catch (err) {
    logger.error('link request failed', err as Error);
    return toApiResult(htmlResponse(500, problemPage('Something went wrong', 'Nothing may have changed; please try the link again later.')));
  }
}

/** Google's revocation, loaded only when a Google account is disconnected (keeps cold start small). */
async function googleRevoker(runtime: Runtime): Promise<TokenRevoker> {
  const [{ GoogleOAuth }, client] = await Promise.all([import('#lib/providers/google/oauth.ts'), runtime.oauthClient('google')]);
  return new GoogleOAuth({ clientId: client.clientId, clientSecret: client.clientSecret });
}

export const handler = middy(lambdaHandler).use(captureLambdaHandler(tracer)).use(injectLambdaContext(logger));
