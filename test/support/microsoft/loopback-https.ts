/**
 * A bare https server on 127.0.0.1 that hands each request to the first handler that
 * claims it: enough to run the identity and calendar handlers on their own. The full Graph
 * emulator (auth, faults, request log) is server.ts; its handlers have the same shape.
 */
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTestCertificate } from './tls.ts';

/** Serves a request and returns true, or returns false to let the next handler try. */
export type MsHandler = (req: IncomingMessage, res: ServerResponse, url: URL, ctx?: unknown) => Promise<boolean>;

/** A running server. */
export interface LoopbackHttps {
  /** Origin, e.g. `https://127.0.0.1:4321` (no trailing slash). */
  readonly origin: string;
  /** The PEM certificate clients must trust. */
  readonly ca: string;
  /** Every request's method and path with query, in arrival order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Starts an https server with the test certificate on an ephemeral port. */
export async function startLoopbackHttps(handlers: MsHandler[]): Promise<LoopbackHttps> {
  const { key, cert } = await makeTestCertificate();
  const requests: string[] = [];
  const server = createServer({ key, cert }, (req, res) => {
    const url = new URL(req.url ?? '/', `https://${req.headers.host ?? '127.0.0.1'}`);
    requests.push(`${req.method ?? 'GET'} ${url.pathname}${url.search}`);
    void (async () => {
      for (const handler of handlers) if (await handler(req, res, url)) return;
      sendJsonBody(res, 404, { error: { code: 'NotFound', message: `no handler for ${url.pathname}` } });
    })().catch((err: unknown) => {
      if (!res.headersSent) sendJsonBody(res, 500, { error: { code: 'InternalServerError', message: (err as Error).message } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ca: cert,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sends a JSON body. */
export function sendJsonBody(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Reads a request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
