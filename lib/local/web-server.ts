import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCookies, type WebRequest, type WebResponse } from '#lib/web/http.ts';
import type { WebApp } from '#lib/web/router.ts';

/** A running local web server. */
export interface LocalWebServer {
  /** Its origin, e.g. `http://127.0.0.1:53117` (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

/** Bodies past this are refused: the pages take small forms only. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Serves a web app (WebRequest -> WebResponse) from Node's `http` on 127.0.0.1, as API
 * Gateway serves it in AWS: for the browser test and local runs. The request's origin is
 * the server's own `http://127.0.0.1:PORT`, so redirect URIs point back here; Chromium
 * counts loopback as a secure context, so the pages' `Secure` cookies still work.
 */
export async function startWebServer(app: WebApp, options: { port?: number } = {}): Promise<LocalWebServer> {
  let origin = '';
  const server = createServer((req, res) => {
    handle(app, origin, req, res).catch((err: unknown) => {
      // The app maps its own failures to pages; reaching here is a bug, said plainly.
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`internal error: ${(err as Error).name ?? 'Error'}`);
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

async function handle(app: WebApp, origin: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = await toWebRequest(req, origin);
  if (request === undefined) {
    res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('request body too large');
    return;
  }
  writeResponse(res, await app(request));
}

/** Node's request as the web layer's; undefined when the body is too large. */
async function toWebRequest(req: IncomingMessage, origin: string): Promise<WebRequest | undefined> {
  const url = new URL(req.url ?? '/', origin);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (!(k in query)) query[k] = v;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  const body = await readBody(req);
  if (body === null) return undefined;
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query,
    headers,
    cookies: parseCookies(req.headers.cookie),
    ...(body === undefined ? {} : { body }),
    origin,
  };
}

async function readBody(req: IncomingMessage): Promise<string | undefined | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 0 ? undefined : Buffer.concat(chunks).toString('utf8');
}

function writeResponse(res: ServerResponse, response: WebResponse): void {
  const headers: Record<string, string | string[]> = { ...response.headers };
  if (response.cookies && response.cookies.length > 0) headers['set-cookie'] = response.cookies;
  headers['content-length'] = String(Buffer.byteLength(response.body));
  res.writeHead(response.status, headers);
  res.end(response.body);
}
