import type { Construct } from 'constructs';
import * as z from 'zod';
import { ConfigError } from '#lib/errors.ts';
import { DEFAULT_SES_SEND_RATE } from '#lib/mail/pace.ts';

/**
 * The deploy-time settings an admin passes as CDK context (`cdk.json` or
 * `-c key=value`), validated at synth time so a typo fails `cdk synth` with a sentence
 * naming the key, never a broken deploy. Values from `-c` are always strings, so numbers
 * and lists are coerced.
 */

/** The sender shipped in cdk.json so `cdk synth` works out of the box; a deploy must replace it. */
export const EXAMPLE_SENDER = 'reports@example.com';
export const DEFAULT_SYNC_SCHEDULE = 'rate(30 minutes)';
export const DEFAULT_MS_AUTHORITY = 'https://login.microsoftonline.com/common';
export const DEFAULT_GRAPH_BASE_URL = 'https://graph.microsoft.com/v1.0';

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/;

const hostname = z
  .string()
  .trim()
  .toLowerCase()
  .regex(HOSTNAME, 'expected a hostname such as sinew.example.com (no scheme, no path)');

/**
 * Minutes between ticks of a `rate(...)` schedule; 30 for a cron schedule (whose gaps
 * may vary): the sync dispatcher's tick slots follow it.
 */
export function scheduleIntervalMinutes(expression: string): number {
  const rate = RATE.exec(expression);
  if (!rate) return 30;
  const n = Number(rate[1]);
  return rate[2]!.startsWith('hour') ? n * 60 : rate[2]!.startsWith('day') ? n * 1440 : n;
}

/** An EventBridge Scheduler `rate(...)` (singular unit for 1, plural otherwise) or a 6-field `cron(...)`. */
function isScheduleExpression(value: string): boolean {
  const rate = RATE.exec(value);
  if (rate) {
    const n = Number(rate[1]);
    return n >= 1 && (n === 1) === !rate[2]!.endsWith('s');
  }
  return CRON.test(value);
}

/** The `allowedDomains` value that admits anyone with a Google or Microsoft account. */
export const ANYONE = '*';

const CHOOSE_SIGN_UP =
  `choose who may sign up: -c allowedDomains=example.com,... (people whose mailbox is at those email domains) ` +
  `or -c allowedDomains=${ANYONE} to admit anyone with a Google or Microsoft account`;

/**
 * Who may sign up: a comma list (`-c allowedDomains=a.com,b.com`) or a JSON array
 * (cdk.json), or `*` alone for anyone. Required and never empty: "anyone" is a choice the
 * admin makes, not what a forgotten setting means.
 */
const signUpDomains = z
  .union([z.string(), z.array(z.string())], { error: CHOOSE_SIGN_UP })
  .transform((value) => (Array.isArray(value) ? value : value.split(',')).map((d) => d.trim().toLowerCase()).filter((d) => d !== ''))
  .superRefine((domains, ctx) => {
    if (domains.length === 0) ctx.addIssue({ code: 'custom', message: CHOOSE_SIGN_UP });
    else if (domains.includes(ANYONE)) {
      if (domains.length > 1) ctx.addIssue({ code: 'custom', message: `"${ANYONE}" admits anyone; give either "${ANYONE}" or a list of domains, not both` });
    } else {
      const bad = domains.find((d) => !HOSTNAME.test(d));
      if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `expected a hostname such as acme.com for each domain (got "${bad}")` });
    }
  });

const intFromContext = (min: number, max: number, fallback: number) =>
  z.preprocess(
    (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
    z.number().int().min(min).max(max).default(fallback),
  );

const optionalString = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' || value === null ? undefined : value), schema.optional());

/**
 * The team view (DESIGN section 10): `on` or `off` (also `true`/`false` from cdk.json); off
 * unless the admin turns it on.
 */
const teamSwitch = z.preprocess(
  (value) => (value === undefined || value === null || value === '' ? 'off' : typeof value === 'boolean' ? (value ? 'on' : 'off') : typeof value === 'string' ? value.trim().toLowerCase() : value),
  z.enum(['on', 'off'], { error: 'expected on or off (the team view of DESIGN section 10; off by default)' }),
);

const GRAPH_ROOT = 'expected an https URL ending with the API version, such as https://graph.microsoft.com/v1.0 (or a national cloud\'s)';

export const sinewContextSchema = z.object({
  senderAddress: z.email('expected an email address such as reports@example.com (an address SES may send from)'),
  domain: optionalString(hostname),
  allowedDomains: signUpDomains,
  syncSchedule: z
    .string()
    .trim()
    .refine(isScheduleExpression, 'expected an EventBridge Scheduler expression such as "rate(30 minutes)" or "cron(0/30 * * * ? *)"')
    .default(DEFAULT_SYNC_SCHEDULE),
  reportHour: intFromContext(0, 23, 7),
  briefHour: intFromContext(0, 23, 7),
  syncConcurrency: intFromContext(1, 1000, 10),
  sesSendRate: intFromContext(1, 100_000, DEFAULT_SES_SEND_RATE),
  alarmEmail: optionalString(z.email('expected an email address for the alarm subscription')),
  msAuthority: z
    .url({ protocol: /^https$/, error: 'expected an https URL such as https://login.microsoftonline.com/<tenant-id>' })
    .default(DEFAULT_MS_AUTHORITY),
  graphBaseUrl: z
    .url({ protocol: /^https$/, error: GRAPH_ROOT })
    .regex(/\/(v\d+(\.\d+)?|beta)$/, GRAPH_ROOT)
    .default(DEFAULT_GRAPH_BASE_URL),
  team: teamSwitch,
});

/** The validated settings the stack is built from. */
export interface SinewConfig {
  /** The From address of every email; must be an SES identity (or inside `domain`). */
  senderAddress: string;
  /** Public hostname for the connect page and links, and the SES domain identity (DKIM). */
  domain?: string;
  /** Email domains allowed to sign up, or `['*']` for anyone (never empty: the admin chooses). */
  allowedDomains: string[];
  /** When the sync dispatcher runs. */
  syncSchedule: string;
  /** Local hour on Monday when weekly reports go out. */
  reportHour: number;
  /** Local hour each day when meeting briefs go out (DESIGN section 9). */
  briefHour: number;
  /** Reserved concurrency of the sync worker: the fleet's ceiling against provider quotas. */
  syncConcurrency: number;
  /**
   * The SES account's maximum sending rate, messages a second (the SES console's "sending
   * quota"; 14 for a first production account): the report workers are capped and paced
   * to it (lib/mail/pace.ts).
   */
  sesSendRate: number;
  /** Subscribed to the alarm topic when given. */
  alarmEmail?: string;
  /** Microsoft sign-in authority (tenant). */
  msAuthority: string;
  /** Microsoft Graph root with its version: a national cloud has its own, beside its authority. */
  graphBaseUrl: string;
  /**
   * The team view (DESIGN section 10, CDK context `team=on`): each sharer's report job
   * publishes to the team index, and the emails tell people what is shared.
   */
  team: boolean;
  /** True while the example sender of cdk.json is still in place. */
  usesExampleSender: boolean;
}

export const CONTEXT_KEYS = Object.keys(sinewContextSchema.shape) as Array<keyof typeof sinewContextSchema.shape>;

/**
 * Validates raw context values. Throws a {@link ConfigError} naming the first bad key,
 * what was expected, and where to set it.
 */
export function parseSinewConfig(raw: Record<string, unknown>): SinewConfig {
  const parsed = sinewContextSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? 'context');
    const given = raw[key] === undefined ? 'it is not set' : `got ${JSON.stringify(raw[key])}`;
    throw new ConfigError(`CDK context "${key}": ${issue.message}; ${given} (set it in cdk.json "context" or with -c ${key}=...)`);
  }
  const value = parsed.data;
  const senderDomain = value.senderAddress.split('@')[1]!.toLowerCase();
  if (value.domain && senderDomain !== value.domain && !senderDomain.endsWith(`.${value.domain}`)) {
    throw new ConfigError(
      `CDK context "senderAddress": ${value.senderAddress} is not inside "domain" ${value.domain}; ` +
        'SES sends only from a verified identity, so use an address at that domain (or a subdomain of it), or drop "domain" to verify the address itself',
    );
  }
  return {
    senderAddress: value.senderAddress,
    ...(value.domain ? { domain: value.domain } : {}),
    allowedDomains: value.allowedDomains,
    syncSchedule: value.syncSchedule,
    reportHour: value.reportHour,
    briefHour: value.briefHour,
    syncConcurrency: value.syncConcurrency,
    sesSendRate: value.sesSendRate,
    ...(value.alarmEmail ? { alarmEmail: value.alarmEmail } : {}),
    msAuthority: value.msAuthority,
    graphBaseUrl: value.graphBaseUrl,
    team: value.team === 'on',
    usesExampleSender: value.senderAddress.toLowerCase() === EXAMPLE_SENDER,
  };
}

/** Reads and validates the Sinew context keys of a construct tree. */
export function readSinewConfig(scope: Construct): SinewConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) raw[key] = scope.node.tryGetContext(key);
  return parseSinewConfig(raw);
}
