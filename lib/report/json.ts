import * as z from 'zod';
import { InputError } from '#lib/errors.ts';
import { parseJsonAs } from '#lib/json-io.ts';
import type { Excluded } from '#lib/interactions/types.ts';
import type {
  AccountHealth,
  AwaitingReplyFlag,
  ContactHealth,
  FadingFlag,
  HealthResult,
  NoFaceTimeFlag,
  OwedReplyFlag,
} from '#lib/health/types.ts';
import type { Settings } from '#lib/settings.ts';
import type { CalendarState, ReportJson, ReportSettings } from './types.ts';
import { orderTeam, teamJsonSchema } from '#lib/team/json.ts';
import type { TeamJson } from '#lib/team/types.ts';

/**
 * The JSON export (DESIGN section 5) is a public interface that other programs diff week
 * over week, so its bytes must not depend on how upstream code happened to build its
 * objects. Every object is rebuilt here, key by key, in the order DESIGN prints.
 */

const iso = z.iso.datetime({ offset: false });
const count = z.number().int().nonnegative();
const address = z.string().min(3).includes('@');

const contactSchema = z.strictObject({
  address,
  name: z.string().nullable(),
  sent: count,
  received: count,
  meetings: count,
  meetingMinutes: z.number().nonnegative(),
  firstInteraction: iso,
  lastInteraction: iso,
  frequency: z.number().nonnegative(),
  cadenceDays: z.number().nonnegative().nullable(),
  reciprocity: z.number().min(0).max(1).nullable(),
  replyHours: z.strictObject({
    mine: z.number().nonnegative().nullable(),
    theirs: z.number().nonnegative().nullable(),
  }),
  health: z.number().min(0).max(100),
  trend: z.enum(['warming', 'steady', 'cooling']),
  initiative: z.enum(['mutual', 'you-chase', 'they-chase']),
});

/**
 * The zod schema of the JSON export: consumers validate a report with it, and
 * {@link parseReportJson} uses it to read a stored week back.
 */
export const reportJsonSchema = z.strictObject({
  user: z.string().min(1),
  asOf: iso,
  settings: z.strictObject({
    windowDays: z.number().int().positive(),
    maxRecipients: z.number().int().positive(),
    maxAttendees: z.number().int().positive(),
    includeInternal: z.boolean(),
    internalDomains: z.array(z.string().min(1)),
  }),
  contacts: z.array(contactSchema),
  fading: z.array(
    z.strictObject({
      address,
      lastInteraction: iso,
      cadenceDays: z.number().nonnegative().nullable(),
      silenceDays: z.number().nonnegative(),
      // Added after the first stored weeks: a report written before it reads as null
      // ("no meeting on record"), which is what its email could say then too.
      lastMeeting: iso.nullable().default(null),
    }),
  ),
  owedReplies: z.array(
    z.strictObject({ address, receivedAt: iso, waitingDays: z.number().nonnegative() }),
  ),
  awaitingReply: z.array(
    z.strictObject({ address, firstSentAt: iso, unansweredCount: count }),
  ),
  noFaceTime: z.array(z.strictObject({ address, lastMeeting: iso.nullable() })),
  // Added after the first stored weeks: an older week computed its noFaceTime, as with a calendar.
  calendar: z.enum(['connected', 'missing']).default('connected'),
  accounts: z.array(
    z.strictObject({
      domain: z.string().min(1),
      activeContacts: count,
      health: z.number().min(0).max(100),
      singleThreaded: z.boolean(),
    }),
  ),
  excluded: z.strictObject({
    automated: count,
    broadcast: count,
    internal: count,
    duplicates: count,
  }),
  // The team view (DESIGN section 10): absent when the deployment has it off.
  team: teamJsonSchema.optional(),
});

/** Everything one week's JSON export is made of. */
export interface ReportJsonInput {
  /** The user's report address. */
  user: string;
  asOf: Date;
  settings: Settings;
  /** Organization domains in force (derived from the connected address plus configured). */
  internalDomains: string[];
  health: HealthResult;
  excluded: Excluded;
  /** Whether the person has a calendar source; default `connected`. */
  calendar?: CalendarState;
  /** The team view; absent when it is off. */
  team?: TeamJson;
}

/**
 * Builds the JSON export of one week (DESIGN section 5) with every key in the documented
 * order. `settings.internalDomains` reports the domains in force: the derived ones given
 * in `internalDomains` together with the configured ones, deduplicated and sorted.
 * Contacts are sorted by health, highest first, ties by address, as DESIGN promises;
 * flag lists keep the order the health stage ranked them in.
 */
export function buildReportJson(input: ReportJsonInput): ReportJson {
  if (Number.isNaN(input.asOf.getTime())) {
    throw new InputError('buildReportJson: asOf is not a valid date');
  }
  const domains = [...new Set([...input.internalDomains, ...input.settings.internalDomains])].sort();
  return orderReport({
    user: input.user,
    asOf: input.asOf.toISOString(),
    settings: {
      windowDays: input.settings.windowDays,
      maxRecipients: input.settings.maxRecipients,
      maxAttendees: input.settings.maxAttendees,
      includeInternal: input.settings.includeInternal,
      internalDomains: domains,
    },
    ...input.health,
    calendar: input.calendar ?? 'connected',
    excluded: input.excluded,
    ...(input.team ? { team: input.team } : {}),
  });
}

/**
 * Serializes a report as 2-space JSON with a trailing newline. The objects are rebuilt
 * first, so the same report always gives the same bytes whatever its key order in memory.
 */
export function serializeReport(json: ReportJson): string {
  return `${JSON.stringify(orderReport(json), null, 2)}\n`;
}

/**
 * Reads a report (a stored week, or a file) back and validates it against
 * {@link reportJsonSchema}. Throws {@link InputError} naming the first wrong field.
 */
export function parseReportJson(value: unknown, source = 'report'): ReportJson {
  return orderReport(parseJsonAs(reportJsonSchema, value, source, 'report'));
}

function orderReport(r: ReportJson): ReportJson {
  return {
    user: r.user,
    asOf: r.asOf,
    settings: orderSettings(r.settings),
    contacts: [...r.contacts].sort(byHealthThenAddress).map(orderContact),
    fading: r.fading.map(orderFading),
    owedReplies: r.owedReplies.map(orderOwed),
    awaitingReply: r.awaitingReply.map(orderAwaiting),
    noFaceTime: r.noFaceTime.map(orderNoFaceTime),
    calendar: r.calendar ?? 'connected',
    accounts: r.accounts.map(orderAccount),
    excluded: orderExcluded(r.excluded),
    ...(r.team ? { team: orderTeam(r.team) } : {}),
  };
}

function byHealthThenAddress(a: ContactHealth, b: ContactHealth): number {
  if (a.health !== b.health) return b.health - a.health;
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

function orderSettings(s: ReportSettings): ReportSettings {
  return {
    windowDays: s.windowDays,
    maxRecipients: s.maxRecipients,
    maxAttendees: s.maxAttendees,
    includeInternal: s.includeInternal,
    internalDomains: [...s.internalDomains],
  };
}

function orderContact(c: ContactHealth): ContactHealth {
  return {
    address: c.address,
    name: c.name,
    sent: c.sent,
    received: c.received,
    meetings: c.meetings,
    meetingMinutes: c.meetingMinutes,
    firstInteraction: c.firstInteraction,
    lastInteraction: c.lastInteraction,
    frequency: c.frequency,
    cadenceDays: c.cadenceDays,
    reciprocity: c.reciprocity,
    replyHours: { mine: c.replyHours.mine, theirs: c.replyHours.theirs },
    health: c.health,
    trend: c.trend,
    initiative: c.initiative,
  };
}

function orderFading(f: FadingFlag): FadingFlag {
  return {
    address: f.address,
    lastInteraction: f.lastInteraction,
    cadenceDays: f.cadenceDays,
    silenceDays: f.silenceDays,
    lastMeeting: f.lastMeeting,
  };
}

function orderOwed(f: OwedReplyFlag): OwedReplyFlag {
  return { address: f.address, receivedAt: f.receivedAt, waitingDays: f.waitingDays };
}

function orderAwaiting(f: AwaitingReplyFlag): AwaitingReplyFlag {
  return { address: f.address, firstSentAt: f.firstSentAt, unansweredCount: f.unansweredCount };
}

function orderNoFaceTime(f: NoFaceTimeFlag): NoFaceTimeFlag {
  return { address: f.address, lastMeeting: f.lastMeeting };
}

function orderAccount(a: AccountHealth): AccountHealth {
  return {
    domain: a.domain,
    activeContacts: a.activeContacts,
    health: a.health,
    singleThreaded: a.singleThreaded,
  };
}

function orderExcluded(e: Excluded): Excluded {
  return {
    automated: e.automated,
    broadcast: e.broadcast,
    internal: e.internal,
    duplicates: e.duplicates,
  };
}
