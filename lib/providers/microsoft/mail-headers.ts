import type { Client } from '@microsoft/microsoft-graph-client';
import { GraphError } from '@microsoft/microsoft-graph-client';
import type { InternetMessageHeader } from '@microsoft/microsoft-graph-types';
import type { RequestPacer } from '#lib/providers/pacer.ts';

/** Where bulk headers come from: see GraphMailSourceOptions.headers. */
export type HeaderFetch = 'auto' | 'batch' | 'none';

/** Graph's ceiling on requests in one `$batch`. */
export const BATCH_LIMIT = 20;

interface BatchResponse {
  responses?: Array<{ id: string; status: number; headers?: Record<string, string>; body?: { internetMessageHeaders?: InternetMessageHeader[] } }>;
}

/**
 * Reads `internetMessageHeaders` of `ids` with `GET /me/messages/{id}?$select=...` parts
 * in `$batch` requests of 20: one request per 20 messages, but 20 units of the mailbox's
 * 10,000 per 10 minutes, since Graph throttles each part on its own. Parts answered 429
 * (or 5xx) are sent again, alone, after the longest Retry-After among them: the pacer
 * does the waiting, so parts that succeeded are never asked for twice. A message gone
 * meanwhile (404) gets no headers.
 */
export async function fetchHeaders(
  client: Client,
  pacer: RequestPacer,
  ids: string[],
  signal?: AbortSignal,
): Promise<Map<string, InternetMessageHeader[]>> {
  const out = new Map<string, InternetMessageHeader[]>();
  for (let i = 0; i < ids.length; i += BATCH_LIMIT) {
    let pending = ids.slice(i, i + BATCH_LIMIT);
    await pacer.run(
      pending.length,
      async () => {
        const requests = pending.map((id, n) => ({
          id: String(n),
          method: 'GET',
          url: `/me/messages/${encodeURIComponent(id)}?$select=internetMessageHeaders`,
          headers: { Prefer: 'IdType="ImmutableId"' },
        }));
        const res = (await client.api('/$batch').header('Prefer', 'IdType="ImmutableId"').post({ requests })) as BatchResponse;
        const again: string[] = [];
        const statuses = new Set<number>();
        let retryAfter: number | undefined;
        for (const part of res.responses ?? []) {
          const id = pending[Number(part.id)];
          if (id === undefined) continue;
          if (part.status >= 200 && part.status < 300) out.set(id, part.body?.internetMessageHeaders ?? []);
          else if (part.status === 429 || part.status >= 500 || part.status === 401) {
            again.push(id);
            statuses.add(part.status);
            const seconds = Number(headerOf(part.headers, 'retry-after'));
            if (Number.isFinite(seconds)) retryAfter = Math.max(retryAfter ?? 0, seconds);
          } else out.set(id, []);
        }
        // Parts the response left out are asked again too.
        for (const id of pending) if (!out.has(id) && !again.includes(id)) again.push(id);
        const status = statuses.has(429) ? 429 : statuses.has(401) ? 401 : Math.max(503, ...statuses);
        pending = again;
        if (again.length > 0) throw partsFailed(again.length, status, retryAfter);
      },
      signal,
    );
  }
  return out;
}

/** A GraphError the pacer classifies like a throttled or failed request. */
function partsFailed(count: number, status: number, retryAfterSeconds: number | undefined): GraphError {
  const e = new GraphError(status, `${count} $batch part(s) answered ${status}`);
  e.code = status === 429 ? 'TooManyRequests' : status === 401 ? 'InvalidAuthenticationToken' : 'ServiceUnavailable';
  if (retryAfterSeconds !== undefined) e.headers = new Headers({ 'retry-after': String(retryAfterSeconds) });
  return e;
}

function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}
