import { InputError } from '#lib/errors.ts';

/**
 * Time-zone names, as the runtime's `Intl` knows them (Node ships full ICU): whether a
 * name is a zone, its one stored spelling, and the lists the forms and the weekly
 * schedule walk. Wall-clock arithmetic in a zone is in `wall-clock.ts`.
 */

/** Zone names found valid so far (bounded: Intl also accepts other spellings of a name). */
const knownZones = new Set<string>();

/** True when Intl knows the zone. */
export function isTimeZone(zone: string): boolean {
  if (knownZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    return false;
  }
  // Building a formatter loads the zone's data: each valid name is checked once.
  if (knownZones.size < 1000) knownZones.add(zone);
  return true;
}

/**
 * The canonical IANA name of a zone as this runtime's `Intl` knows it (the names
 * `Intl.supportedValuesOf('timeZone')` lists, plus `UTC`), or the name as given when
 * `Intl` does not know it, so an odd zone is still stored and listed under itself.
 */
export function canonicalTimeZone(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return timeZone;
  }
}

/**
 * Checks a time-zone answer (the connect success page detects it in the browser; a signed
 * link lets the user change it) and returns the spelling to store. Weekly reports are
 * scheduled per stored zone, so the value must be one the runtime's `Intl` knows: an IANA
 * name such as `Europe/Paris`, not an offset like `+01:00`.
 *
 * The name is kept as given when `Intl` lists it; otherwise `Intl`'s canonical spelling is
 * stored (`europe/paris` becomes `Europe/Paris`, `utc` becomes `UTC`, and on Node 20's ICU
 * the alias `Asia/Kolkata` becomes `Asia/Calcutta`), so one zone has one stored name.
 * Unlike {@link canonicalTimeZone}, which stores an unknown name as given, this refuses it.
 *
 * @throws InputError naming the value when it is missing or not a time zone.
 */
export function checkTimeZone(given: string | undefined): string {
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

/** Every zone name `Intl` lists, sorted, for the time-zone form's suggestions. */
export function timeZoneNames(): readonly string[] {
  return ZONE_LIST;
}

/** Every IANA zone `Intl` knows (canonical names), plus `UTC`, which the list leaves out. */
export function allTimeZones(): string[] {
  return [...new Set([...Intl.supportedValuesOf('timeZone'), 'UTC'])];
}

const ZONE_LIST: readonly string[] = [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])].sort();
const KNOWN_ZONES: ReadonlySet<string> = new Set(ZONE_LIST);
