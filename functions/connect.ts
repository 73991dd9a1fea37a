import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { messagePage } from '#lib/web/connect-pages.ts';
import { htmlResponse } from '#lib/web/http.ts';
import { connectApp } from '#functions/shared/connect-app.ts';
import { lambdaHandler } from '#functions/shared/handler.ts';
import { toApiResult, toWebRequest } from '#functions/shared/http.ts';
import { logger } from '#functions/shared/observability.ts';
import { scrubMessage } from '#functions/shared/redact.ts';
import { getRuntime } from '#functions/shared/runtime.ts';

/**
 * `GET /`, `GET /connect/{provider}`, `GET /oauth/{provider}/callback`: the connect page
 * and the OAuth flow. The web logic lives in lib/web/connect-app.ts; this adapts API
 * Gateway HTTP API events to it, with the app functions/shared/connect-app.ts builds from
 * the runtime.
 */
async function connect(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const app = await connectApp(getRuntime());
  return toApiResult(await app(toWebRequest(event)));
}

/** Any failure: a generic page; the log gets the class and a scrubbed message, never a token or an address. */
function failed(err: unknown, event: APIGatewayProxyEventV2): APIGatewayProxyStructuredResultV2 {
  const e = err instanceof Error ? err : new Error(String(err));
  logger.error('connect request failed', { errorName: e.name, errorMessage: scrubMessage(e.message), path: event.rawPath });
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

export const handler = lambdaHandler(connect, { onError: failed });
