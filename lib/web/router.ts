import { htmlResponse, type WebRequest, type WebResponse } from './http.ts';

/** A web app: the connect page, the link handler, or several of them routed together. */
export type WebApp = (req: WebRequest) => Promise<WebResponse>;

export interface PrefixRoute {
  /** A path prefix such as `/l/`; `/` matches every path. */
  prefix: string;
  app: WebApp;
}

/**
 * Combines apps by path prefix, first match wins: in AWS the HTTP API routes each path to
 * its own function, while one local server (the browser test, `sinew serve`) must serve
 * them all. A path no route claims gets a plain 404 page.
 */
export function routeByPrefix(routes: readonly PrefixRoute[]): WebApp {
  for (const r of routes) {
    if (!r.prefix.startsWith('/')) throw new TypeError(`route prefix '${r.prefix}' must start with '/'`);
  }
  return async (req) => {
    const route = routes.find((r) => req.path.startsWith(r.prefix));
    if (route) return route.app(req);
    return htmlResponse(404, '<!doctype html><meta charset="utf-8"><title>Not found</title><p>There is no page at this address.</p>');
  };
}
