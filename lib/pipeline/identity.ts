import { normalizeAddress, shortHash } from '../interactions/normalize.ts';
import { InputError } from '../errors.ts';

/**
 * A person's id, derived from the address of their first mailbox (DESIGN section 1, "Who
 * is who"). Opaque, so keys and logs never carry the address itself.
 */
export function userIdFor(address: string): string {
  return `u${shortHash(requireAddress(address, 'address')).slice(0, 20)}`;
}

/** The id of an account: one per provider mailbox (or per imported archive owner). */
export function accountIdFor(provider: string, address: string): string {
  return `${provider}-${shortHash(`${provider}:${requireAddress(address, 'address')}`).slice(0, 16)}`;
}

/** Normalizes an address given by a user, or throws naming the flag. */
export function requireAddress(raw: string, flag: string): string {
  const a = normalizeAddress(raw);
  if (!a) throw new InputError(`${flag} must be an email address such as me@example.com (got '${raw}')`);
  return a;
}
