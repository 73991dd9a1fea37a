import type { Item } from '#lib/items/types.ts';
import type { Account, Store, User } from '#lib/store/types.ts';
import type { Settings } from '#lib/settings.ts';
import type { CalendarState, ReportJson } from './types.ts';
import type { Feedback } from '#lib/items/feedback.ts';
import { extractInteractions } from '#lib/interactions/extract.ts';
import { computeHealth } from '#lib/health/index.ts';
import { buildReportJson } from './json.ts';
import { InputError } from '#lib/errors.ts';
import { connectedProvider, isCalendarCursor } from '#lib/providers/registry.ts';
import { sharerNameOf } from '#lib/team/entries.ts';
import { teamViewFor } from '#lib/team/publish.ts';


/** Feedback still in force at `asOf`: the latest answer per contact, snoozes not yet over. */
function feedbackInForce(all: Feedback[], asOf: Date): Feedback[] {
  return all.filter((f) => Date.parse(f.at) <= asOf.getTime());
}

/**
 * Whether a person has a calendar source (DESIGN section 4): a connected calendar (Google
 * with the calendar scope granted, Microsoft with `Calendars.ReadBasic`, or any account
 * holding a calendar cursor) or an imported ics (the files account's import marker, or
 * any meeting in the store). Without one, Sinew cannot tell "no meetings" from "no
 * calendar": the report withholds noFaceTime and says the calendar is missing.
 */
export function calendarStateOf(accounts: readonly Account[], stored: { meetings: boolean }): CalendarState {
  if (stored.meetings) return 'connected';
  for (const a of accounts) {
    if (connectedProvider(a.provider)?.grant.coversCalendar(a.grantedScopes ?? [])) return 'connected';
    if (Object.keys(a.cursors).some(isCalendarCursor)) return 'connected';
  }
  return 'missing';
}

/**
 * The person's side of the definitions (DESIGN section 3), as every reading of their
 * items uses them: the settings with the person's configured organization domains added,
 * Me as configured (`--me`) plus the provider aliases, and the connected addresses (whose
 * organization domains are internal). The weekly report and the meeting brief both start
 * here, so a person's Me and internal domains never differ between the two.
 */
export function personDefinitions(
  user: Pick<User, 'me' | 'internalDomains'>,
  accounts: readonly Pick<Account, 'address' | 'aliases'>[],
  settings: Settings,
): { settings: Settings; me: string[]; accountAddresses: string[] } {
  return {
    settings: {
      ...settings,
      internalDomains: [...new Set([...user.internalDomains, ...settings.internalDomains])].sort(),
    },
    me: [...new Set([...user.me, ...accounts.flatMap((a) => a.aliases)])],
    accountAddresses: accounts.map((a) => a.address),
  };
}

/**
 * Builds one user's report JSON from the store: one Query of the user's partition, then
 * the pure stages (interactions, health, JSON). Nothing derived is stored, so a changed
 * setting applies to all history without a resync.
 *
 * With `team` (the deployment's team view is on, DESIGN section 10) a sharer's report
 * also publishes their team index entries and reads their colleagues' for the accounts
 * of their own contacts (lib/team/publish.ts); without it nothing of the team is read or
 * written and the JSON has no `team` member.
 */
export async function buildUserReport(
  store: Store,
  userId: string,
  opts: { asOf: Date; settings: Settings; team?: boolean },
): Promise<{ user: User; accounts: Account[]; json: ReportJson }> {
  const user = await store.getUser(userId);
  if (!user) throw new InputError(`no user ${userId} in the store: import or connect a mailbox first`);
  const accounts = await store.listAccounts(userId);
  const items: Item[] = [];
  let meetings = false;
  for await (const item of store.queryItems(userId)) {
    items.push(item);
    if (item.kind === 'meeting') meetings = true;
  }
  const calendar = calendarStateOf(accounts, { meetings });
  const { settings, me, accountAddresses } = personDefinitions(user, accounts, opts.settings);
  const extraction = extractInteractions(items, { asOf: opts.asOf, settings, me, accountAddresses });
  const feedback = feedbackInForce(await store.listFeedback(userId), opts.asOf);
  const health = computeHealth(extraction, { asOf: opts.asOf, settings, feedback, calendar: calendar === 'connected' });
  const team = opts.team
    ? await teamViewFor(store, {
        user,
        sharerName: sharerNameOf(items, extraction.me),
        health,
        interactions: extraction.interactions,
        feedback,
        asOf: opts.asOf,
        me: extraction.me,
        internalDomains: [...extraction.internalDomains, ...settings.internalDomains],
      })
    : undefined;
  const json = buildReportJson({
    user: user.email,
    asOf: opts.asOf,
    settings,
    internalDomains: extraction.internalDomains,
    health,
    excluded: extraction.excluded,
    calendar,
    ...(team ? { team } : {}),
  });
  return { user, accounts, json };
}
