import { InputError } from '../errors.ts';

/**
 * Checks a time-zone answer (the connect success page detects it in the browser; a signed
 * link lets the user change it) and returns the spelling to store. Weekly reports are
 * scheduled per stored zone, so the value must be one the runtime's `Intl` knows: an IANA
 * name such as `Europe/Paris`, not an offset like `+01:00`.
 *
 * The name is kept as given when `Intl` lists it; otherwise `Intl`'s canonical spelling is
 * stored (`europe/paris` becomes `Europe/Paris`, `utc` becomes `UTC`, and on Node 20's ICU
 * the alias `Asia/Kolkata` becomes `Asia/Calcutta`), so one zone has one stored name.
 *
 * @throws InputError naming the value when it is missing or not a time zone.
 */
export function canonicalTimeZone(given: string | undefined): string {
  const name = (given ?? '').trim();
  if (name === '') throw new InputError('timeZone is missing: give an IANA time zone such as Europe/Paris');
  // Intl accepts offsets ("+01:00") on newer runtimes; a schedule needs a named zone.
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name) || name.length > 64) {
    throw new InputError(`timeZone ${JSON.stringify(name)} is not an IANA time zone such as Europe/Paris`);
  }
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    throw new InputError(`timeZone ${JSON.stringify(name)} is not an IANA time zone such as Europe/Paris`);
  }
  return KNOWN_ZONES.has(name) ? name : resolved;
}

/** Every zone name `Intl` lists, for the time-zone form's suggestions. */
export function timeZoneNames(): readonly string[] {
  return ZONE_LIST;
}

const ZONE_LIST: readonly string[] = [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])].sort();
const KNOWN_ZONES: ReadonlySet<string> = new Set(ZONE_LIST);
