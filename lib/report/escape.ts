/**
 * What may reach the email from outside Sinew's own wording: text from mail (names,
 * addresses, domains), escaped, and link URLs, only when safe to follow.
 */

export { escapeHtml } from '#lib/html.ts';

/**
 * True for an absolute http(s) or mailto URL: a `javascript:` or relative URL must never
 * reach an email, whoever built it.
 */
export function safeUrl(url: string | undefined): url is string {
  return url !== undefined && /^(https?:\/\/|mailto:)/i.test(url);
}
