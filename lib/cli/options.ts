import { InputError } from '#lib/errors.ts';
import { settingsSchema, type Settings } from '#lib/settings.ts';

/**
 * Parsers for CLI option values. Each rejects bad input with a sentence naming the flag,
 * what was expected and what was given.
 */

/** Parses `--as-of`: an ISO 8601 date or date-time. */
export function parseAsOf(value: string | undefined, now: Date): Date {
  if (value === undefined) return now;
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
  const t = iso.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(t)) {
    throw new InputError(`--as-of must be an ISO 8601 date-time such as 2026-11-23T07:00:00Z (got '${value}')`);
  }
  return new Date(t);
}

/** Parses a whole-number flag within bounds. */
export function parseWhole(flag: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InputError(`${flag} must be a whole number from ${min} to ${max} (got '${value}')`);
    }
    return n;
  };
}

/** Validates a domain name flag value (lower-cased). */
export function parseDomain(value: string): string {
  const d = value.trim().toLowerCase().replace(/^@/, '');
  if (!/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/.test(d)) {
    throw new InputError(`--internal-domain must be a domain name such as example.com (got '${value}')`);
  }
  return d;
}

export interface SettingsFlags {
  windowDays?: number;
  maxRecipients?: number;
  maxAttendees?: number;
  includeInternal?: boolean;
  internalDomain?: string[];
}

/** Builds the report settings from the CLI flags, defaults where a flag is absent. */
export function settingsFromFlags(flags: SettingsFlags): Settings {
  return settingsSchema.parse({
    windowDays: flags.windowDays,
    maxRecipients: flags.maxRecipients,
    maxAttendees: flags.maxAttendees,
    includeInternal: flags.includeInternal ?? false,
    internalDomains: (flags.internalDomain ?? []).map(parseDomain),
  });
}
