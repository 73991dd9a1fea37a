/**
 * Escapes text for HTML content and attribute values: the one escaper of every page and
 * email Sinew writes (the report, the connect and link pages, the reconnect notice, the
 * loopback page). Kept apart from lib/report so a function that never renders a report
 * does not bundle MJML by importing it.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
