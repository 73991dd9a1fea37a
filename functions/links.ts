import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { grantRevoker } from '#lib/providers/revocation.ts';
import { createLinksApp } from '#lib/web/links-app.ts';
import { problemPage } from '#lib/web/links-pages.ts';
import { htmlResponse } from '#lib/web/http.ts';
import { lambdaHandler } from '#functions/shared/handler.ts';
import { toApiResult, toWebRequest } from '#functions/shared/http.ts';
import { logger } from '#functions/shared/observability.ts';
import { lambdaEndpoints } from '#functions/shared/env.ts';
import { getRuntime, perRuntime } from '#functions/shared/runtime.ts';

/**
 * `GET /l/{token}` (confirmation page) and `POST /l/{token}` (apply; RFC 8058 one-click
 * unsubscribe; the success page's time-zone answer). The web logic lives in
 * lib/web/links-app.ts; this adapts API Gateway HTTP API events to it.
 */
async function links(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const runtime = getRuntime();
  const app = createLinksApp({
    store: runtime.store,
    vault: runtime.vault,
    // The adapter is where the clock is read; everything below takes it as a parameter.
    now: () => new Date(),
    linkSecret: () => runtime.linkSecret(),
    // A provider's client (and its secret) is read only when one of its grants is revoked.
    revoker: (provider) => revokerOf(runtime)(provider),
    ...(runtime.env.SINEW_BASE_URL ? { baseUrl: runtime.env.SINEW_BASE_URL } : {}),
    // The who-knows page answers only where the deployment turned the team view on.
    ...(runtime.env.SINEW_TEAM === 'on' ? { team: true } : {}),
    log: logger,
  });
  return toApiResult(await app(toWebRequest(event)));
}

/** Revocation at the providers that offer it, built once per runtime (Google's OAuth library only). */
const revokerOf = perRuntime((runtime) => grantRevoker(runtime.oauthClient, lambdaEndpoints(runtime.env)));

/** Any failure: a page saying nothing may have changed; the log gets the error. */
function failed(err: unknown): APIGatewayProxyStructuredResultV2 {
  logger.error('link request failed', err as Error);
  return toApiResult(htmlResponse(500, problemPage('Something went wrong', 'Nothing may have changed; please try the link again later.')));
}

export const handler = lambdaHandler(links, { onError: failed });
