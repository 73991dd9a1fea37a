import { InputError } from '#lib/errors.ts';
import type { MailItem } from '#lib/items/types.ts';
import { normalizeAddress } from '#lib/items/normalize.ts';

/**
 * The Gmail label of sent mail. Gmail's `gmail.metadata` scope cannot read send-as
 * settings, so the From of every message carrying it is how aliases are learned
 * (DESIGN section 3, "Me"). Takeout imports must map their `Sent` label to this id.
 */
export const SENT_LABEL = 'SENT';

/**
 * Normalizes addresses the user or the provider gave us (`--me`, connected addresses,
 * aliases). A value that holds no address is a configuration mistake, so it fails
 * loudly instead of silently shrinking Me (which would turn the user's own mail into
 * contacts).
 *
 * @param addresses raw addresses, display names allowed
 * @param what what the addresses are, named in the error (e.g. `--me`)
 * @throws InputError naming the value that is not an address
 */
export function normalizeOwnAddresses(addresses: Iterable<string>, what: string): string[] {
  const out: string[] = [];
  for (const raw of addresses) {
    const address = normalizeAddress(raw);
    if (!address) {
      throw new InputError(`${what}: "${raw}" is not an email address (expected local@domain)`);
    }
    out.push(address);
  }
  return out;
}

/** True when a mail item is the user's own sent copy (Gmail `SENT` label). */
export function isSentCopy(item: MailItem): boolean {
  return item.from !== null && item.labels.includes(SENT_LABEL);
}

/**
 * Me: configured addresses, the connected addresses and their aliases, and the From of
 * every message labelled `SENT` among `mail`. The caller passes only the mail it
 * considers (the held history before `asOf`), so a report as of a past date does not
 * learn from mail that came later. The set iterates in address order.
 *
 * @param mail the mail items to learn aliases from
 * @param configured addresses given with `--me` (raw)
 * @param accountAddresses connected addresses and provider aliases (raw)
 * @throws InputError when a configured or account address is not an address
 */
export function resolveMe(
  mail: Iterable<MailItem>,
  configured: Iterable<string>,
  accountAddresses: Iterable<string>,
): Set<string> {
  const me = new Set<string>([
    ...normalizeOwnAddresses(configured, '--me'),
    ...normalizeOwnAddresses(accountAddresses, 'account address'),
  ]);
  for (const item of mail) {
    if (isSentCopy(item)) me.add(item.from!);
  }
  // Sorted, so that whoever iterates Me sees the same order whatever the items' order.
  return new Set([...me].sort());
}
