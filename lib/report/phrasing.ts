import { InputError } from '#lib/errors.ts';
import { PUBLIC_WEBMAIL_DOMAINS, domainOf } from '#lib/items/normalize.ts';

/**
 * How the report speaks about people, organizations, dates and numbers. The email is
 * read by a person, so it says "Ann" and "12 Sep", never "ann@acme.com" and an ISO time,
 * wherever it safely can.
 */

const DAY_MS = 86_400_000;

// Letters (any script), with the apostrophes, hyphens and initials real names carry.
const NAME_WORD = /^\p{Lu}[\p{L}\p{M}'’-]*\.?$|^\p{Lu}\.$/u;
// Lower-case particles of family names ("Ludwig van Beethoven", "Ana de la Cruz"): part of a name, never its first or last word.
const PARTICLES = new Set(['von', 'van', 'der', 'den', 'de', 'la', 'le', 'du', 'da', 'di', 'del', 'della', 'dos', 'das', 'bin', 'ibn', 'al']);

/**
 * The name to call a contact by: the first name when the display name looks like
 * "First Last" (or "Last, First", as many corporate directories write it), else the
 * address. A lone word is not trusted as a first name: "Support" or "Acme" would read
 * as a person.
 */
export function displayName(address: string, name: string | null | undefined): string {
  const clean = stripControl(name ?? '').replace(/\s+/g, ' ').trim();
  if (clean === '') return address;
  const comma = /^([^,]+),\s*([^,]+)$/.exec(clean);
  if (comma) {
    const last = comma[1]!.split(' ');
    const first = comma[2]!.split(' ');
    if (areNameWords(last, true) && first.every(isNameWord) && !isInitial(first[0]!)) return first[0]!;
    return address;
  }
  const words = clean.split(' ');
  if (words.length >= 2 && words.length <= 5 && areNameWords(words) && !isInitial(words[0]!)) {
    return words[0]!;
  }
  return address;
}

/**
 * The full display name when there is one, for evidence lines; else the address. A
 * directory's "Last, First" is turned around when both halves read as names.
 */
export function fullName(address: string, name: string | null | undefined): string {
  const clean = stripControl(name ?? '').replace(/\s+/g, ' ').trim();
  if (clean === '') return address;
  const comma = /^([^,]+),\s*([^,]+)$/.exec(clean);
  if (comma) {
    const last = comma[1]!.split(' ');
    const first = comma[2]!.split(' ');
    if (areNameWords(last, true) && first.every(isNameWord)) return `${comma[2]} ${comma[1]}`;
  }
  return clean;
}

function isNameWord(word: string): boolean {
  return NAME_WORD.test(word);
}

/**
 * Every word reads as part of a name: capitalized, or a particle between names (a
 * family name written first, "van Beethoven" of "van Beethoven, Ludwig", may start with one).
 */
function areNameWords(words: string[], familyName = false): boolean {
  const last = words.length - 1;
  return words.every((w, i) => isNameWord(w) || (PARTICLES.has(w) && i < last && (i > 0 || familyName)));
}

function isInitial(word: string): boolean {
  return /^\p{Lu}\.?$/u.test(word);
}

/** Removes control characters (a CR/LF in a name must never reach a mail header). */
export function stripControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

/**
 * The organization domain an address rolls up to, or null for public webmail, which
 * stays per person (DESIGN section 4).
 */
export function organizationOf(address: string): string | null {
  const domain = domainOf(address);
  return PUBLIC_WEBMAIL_DOMAINS.has(domain) ? null : domain;
}

// Second-level labels under a country code that are not the organization's name.
const GENERIC_SECOND_LEVEL = new Set(['co', 'com', 'org', 'net', 'ac', 'gov', 'edu', 'ltd', 'plc']);

/**
 * A readable organization label from its domain: `acme.com` and `mail.acme.co.uk` both
 * give "Acme". A heuristic, not a public-suffix lookup: when it is unsure (a bare or
 * odd domain) it returns the domain itself.
 */
export function organizationLabel(domain: string): string {
  const labels = domain.split('.').filter((l) => l !== '');
  if (labels.length < 2) return domain;
  labels.pop();
  const last = labels[labels.length - 1]!;
  if (labels.length >= 2 && GENERIC_SECOND_LEVEL.has(last)) labels.pop();
  const label = labels[labels.length - 1]!;
  if (!/^[a-z0-9-]+$/.test(label)) return domain;
  return label.charAt(0).toUpperCase() + label.slice(1);
}

const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** "three" for 3, "12" for 12: small counts read better as words. */
export function numberWord(n: number): string {
  return Number.isInteger(n) && n >= 0 && n < NUMBER_WORDS.length ? NUMBER_WORDS[n]! : String(n);
}

/** Capitalizes the first letter of a sentence. */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "1 day", "34 days". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "Ann", "Ann and Raj", "Ann, Raj and Lee", "Ann, Raj and 3 others". */
export function listNames(names: string[], max = 3): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length <= max) return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  const rest = names.length - (max - 1);
  return `${names.slice(0, max - 1).join(', ')} and ${rest} others`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Formats dates in the user's time zone, relative to `asOf`: "12 Sep" within the year,
 * "12 Sep 2025" before it, and a weekday ("Tuesday") for the last six days, which is how
 * a person says it. Month names are our own: ICU versions disagree ("Sep" or "Sept").
 */
export class DateWords {
  private readonly ymd: Intl.DateTimeFormat;
  private readonly weekday: Intl.DateTimeFormat;
  private readonly clock: Intl.DateTimeFormat;
  private readonly asOfParts: LocalDate;

  constructor(
    readonly asOf: Date,
    readonly timeZone = 'UTC',
  ) {
    try {
      this.ymd = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone });
      this.weekday = new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone });
      this.clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone });
    } catch (cause) {
      throw new InputError(`unknown time zone "${timeZone}": use an IANA name such as Europe/Paris`, { cause });
    }
    if (Number.isNaN(asOf.getTime())) throw new InputError('report asOf is not a valid date');
    this.asOfParts = this.local(asOf);
  }

  /** "12 Sep", or "12 Sep 2025" when not in asOf's year. */
  date(when: string | Date): string {
    const d = this.local(toDate(when));
    const text = `${d.day} ${MONTHS[d.month - 1]}`;
    return d.year === this.asOfParts.year ? text : `${text} ${d.year}`;
  }

  /** "24 Nov 2026": always with the year. */
  fullDate(when: string | Date): string {
    const d = this.local(toDate(when));
    return `${d.day} ${MONTHS[d.month - 1]} ${d.year}`;
  }

  /** "24 Nov 2026, 07:05": a moment, as a sync time is told. */
  dateTime(when: string | Date): string {
    const d = toDate(when);
    return `${this.fullDate(d)}, ${this.clock.format(d)}`;
  }

  /** "on Tuesday" for the last six local days, "today"/"yesterday", else "on 12 Sep". */
  when(when: string | Date): string {
    const d = toDate(when);
    const ago = this.daysAgo(d);
    if (ago === 0) return 'today';
    if (ago === 1) return 'yesterday';
    if (ago > 1 && ago < 7) return `on ${this.weekday.format(d)}`;
    return `on ${this.date(d)}`;
  }

  /** Whole local calendar days from `when` to asOf, so "days ago" follows the user's midnight. */
  daysAgo(when: string | Date): number {
    return this.asOfParts.dayNumber - this.local(toDate(when)).dayNumber;
  }

  private local(d: Date): LocalDate {
    const [year, month, day] = this.ymd.format(d).split('-').map(Number) as [number, number, number];
    return { year, month, day, dayNumber: Math.round(Date.UTC(year, month - 1, day) / DAY_MS) };
  }
}

interface LocalDate {
  year: number;
  month: number;
  day: number;
  dayNumber: number;
}

function toDate(when: string | Date): Date {
  return typeof when === 'string' ? new Date(when) : when;
}
