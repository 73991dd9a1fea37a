import { fullName, organizationLabel, organizationOf } from './phrasing.ts';

/**
 * How Sinew names a person where someone must act on the name (issue 12, "people told
 * apart"): a reader with three Johns cannot act on "Reply to John". One form, used by
 * the weekly email's actions and the meeting brief's attendees:
 *
 * - "John Smith (Acme)": a full display name, with the organization as the report names
 *   it elsewhere ({@link organizationLabel} of the address's domain);
 * - "John Smith (john@gmail.com)": public webmail is not an organization, so the address;
 * - "John (john@acme.com)": a one-word name ("John", "Support") is not a full name, so
 *   the address rather than an organization that would not tell two Johns apart;
 * - "john@gmail.com": no display name (or one that is itself an address).
 *
 * The result is plain text: HTML renderers escape it like any name from mail.
 */

/** Whoever is named: a normalized address and the display name mail gave them, if any. */
export interface NamedPerson {
  address: string;
  name?: string | null;
}

/** "John Smith (Acme)", "John Smith (john@gmail.com)", "john@gmail.com": see above. */
export function personLabel(person: NamedPerson): string {
  const name = nameOf(person);
  if (name === null) return person.address;
  const org = organizationOf(person.address);
  if (org === null || !/\s/.test(name)) return `${name} (${person.address})`;
  return `${name} (${organizationLabel(org)})`;
}

/**
 * Labels for everyone named in one email (or one brief), keyed by address, told apart:
 * two people whose {@link personLabel} would read the same (two John Smiths at Acme, or
 * at acme.com and acme.co.uk, both "Acme") are named with their addresses instead.
 */
export function personLabels(people: Iterable<NamedPerson>): Map<string, string> {
  const byAddress = new Map<string, NamedPerson>();
  for (const p of people) if (!byAddress.has(p.address)) byAddress.set(p.address, p);
  const labels = new Map([...byAddress.values()].map((p) => [p.address, personLabel(p)]));
  const uses = new Map<string, number>();
  for (const label of labels.values()) uses.set(label, (uses.get(label) ?? 0) + 1);
  for (const [address, label] of labels) {
    if ((uses.get(label) ?? 0) < 2) continue;
    const name = nameOf(byAddress.get(address)!);
    labels.set(address, name === null ? address : `${name} (${address})`);
  }
  return labels;
}

/**
 * A person among others of one organization, the organization said once after them
 * ("Ann Lee and Raj Patel at Acme"): the full name when there is one (two words or
 * more), else the address.
 */
export function nameInAccount(person: NamedPerson): string {
  const name = nameOf(person);
  return name !== null && /\s/.test(name) ? name : person.address;
}

/** The full display name, or null when there is none worth showing (empty, or an address). */
function nameOf(person: NamedPerson): string | null {
  const name = fullName(person.address, person.name);
  if (name === person.address || name.includes('@')) return null;
  return name;
}
