import { randomBytes } from 'node:crypto';

/**
 * The web pages' request and response, free of any AWS event type: the connect page,
 * OAuth callbacks and signed links are functions from a {@link WebRequest} to a
 * {@link WebResponse}. `functions/shared/http.ts` adapts API Gateway HTTP API events to
 * them; `lib/local/web-server.ts` serves them from a Node HTTP server (browser tests, the
 * local `sinew serve`).
 */
export interface WebRequest {
  method: string;
  /** Path without query string, e.g. `/oauth/google/callback`. */
  path: string;
  /** Query parameters (first value of each). */
  query: Record<string, string>;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** Cookies by name. */
  cookies: Record<string, string>;
  /** Body as text (forms: `application/x-www-form-urlencoded`), or undefined. */
  body?: string;
  /**
   * The public origin the request came in on, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com`:
   * redirect URIs and links are built from it when no base URL is configured.
   */
  origin: string;
}

export interface WebResponse {
  status: number;
  headers: Record<string, string>;
  /** `Set-Cookie` values, one per cookie. */
  cookies?: string[];
  body: string;
}

/**
 * The Content Security Policy of a page: nothing from elsewhere, inline styles, and
 * script only by the response's own nonce (a page without one runs no script at all),
 * so markup that slipped past escaping still cannot run.
 */
export function contentSecurityPolicy(scriptNonce?: string): string {
  const script = scriptNonce === undefined ? "script-src 'none'" : `script-src 'nonce-${scriptNonce}'`;
  return `default-src 'none'; style-src 'unsafe-inline'; ${script}; connect-src 'self'; form-action 'self' https:; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'`;
}

/** A fresh nonce for the inline scripts of one response: 128 random bits, base64. */
export function newScriptNonce(): string {
  return randomBytes(16).toString('base64');
}

/** A rendered page whose inline scripts carry `scriptNonce` (`<script nonce="...">`). */
export interface HtmlPage {
  html: string;
  scriptNonce?: string;
}

/** Headers every page carries: no framing, no sniffing, no referrer leaking tokens in URLs. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': contentSecurityPolicy(),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

/**
 * An HTML page response with the security headers; a page with script (an
 * {@link HtmlPage} with its nonce) gets a policy that allows exactly its scripts.
 */
export function htmlResponse(status: number, body: string | HtmlPage, extra: { cookies?: string[]; headers?: Record<string, string> } = {}): WebResponse {
  const page = typeof body === 'string' ? { html: body } : body;
  return {
    status,
    headers: {
      ...SECURITY_HEADERS,
      'content-security-policy': contentSecurityPolicy(page.scriptNonce),
      'content-type': 'text/html; charset=utf-8',
      ...extra.headers,
    },
    ...(extra.cookies ? { cookies: extra.cookies } : {}),
    body: page.html,
  };
}

/** A 302 redirect with the security headers. */
export function redirectResponse(location: string, cookies?: string[]): WebResponse {
  return { status: 302, headers: { ...SECURITY_HEADERS, location }, ...(cookies ? { cookies } : {}), body: '' };
}

/**
 * Parses a `Cookie` header into name/value pairs (first wins). A value whose
 * percent-encoding is broken is dropped, as if the cookie were absent: it cannot be one
 * Sinew set (its cookies are base64url), and any app on the same host can set one.
 */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // URIError: skip this cookie only.
    }
  }
  return out;
}

/** Parses an `application/x-www-form-urlencoded` body. */
export function parseForm(body: string | undefined): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body ?? ''));
}
