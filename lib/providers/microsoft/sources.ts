import type { ChangeSource } from '#lib/providers/types.ts';
import type { Clock } from '#lib/time/clock.ts';
import { createGraphPacer } from './pacer.ts';
import { graphClient } from './graph-client.ts';
import { GraphMailSource } from './mail.ts';
import { GraphCalendarSource } from './calendar.ts';

export interface MicrosoftSourcesOptions {
  /** `SINEW_GRAPH_BASE_URL`, e.g. https://graph.microsoft.com/v1.0. */
  graphBaseUrl: string;
  /** Access tokens for the mailbox (MsTokenSession.getAccessToken). */
  getAccessToken: (opts: { forceRefresh?: boolean }) => Promise<string>;
  accountId: string;
  clock: Clock;
  /** False when the user did not grant Calendars.ReadBasic. @default true */
  calendar?: boolean;
  /** Extra CA certificates (tests, proxies). */
  ca?: string | string[];
}

/**
 * The change sources of one Microsoft 365 mailbox: mail (resource `graph-mail`, the
 * folders that matter, up to 4 in flight) and the calendar view (`graph:calendar`). One
 * pacer for both: Graph's 4-concurrent and 10,000-per-10-minutes limits are per app and
 * mailbox.
 */
export function microsoftSources(opts: MicrosoftSourcesOptions): ChangeSource[] {
  const client = graphClient({
    baseUrl: opts.graphBaseUrl,
    getAccessToken: opts.getAccessToken,
    ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
  });
  const pacer = createGraphPacer({ clock: opts.clock });
  const sources: ChangeSource[] = [new GraphMailSource({ client, accountId: opts.accountId, pacer, clock: opts.clock })];
  if (opts.calendar !== false) {
    sources.push(new GraphCalendarSource({ client, accountId: opts.accountId, pacer, asOf: new Date(opts.clock.now()) }));
  }
  return sources;
}
