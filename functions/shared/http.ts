import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { parseCookies, type WebRequest, type WebResponse } from '#lib/web/http.ts';

/** API Gateway HTTP API (payload 2.0) event to the web layer's request. */
export function toWebRequest(event: APIGatewayProxyEventV2): WebRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query[k] = v;
  const body = event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    query,
    headers,
    cookies: parseCookies((event.cookies ?? []).join('; ')),
    ...(body === undefined ? {} : { body }),
    origin: `https://${event.requestContext.domainName}`,
  };
}

/** The web layer's response to an HTTP API (payload 2.0) result. */
export function toApiResult(response: WebResponse): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.status,
    headers: response.headers,
    ...(response.cookies && response.cookies.length > 0 ? { cookies: response.cookies } : {}),
    body: response.body,
  };
}
