import { normalizeAddress, shortHash } from '#lib/items/normalize.ts';
import { InputError } from '#lib/errors.ts';

/**
 * A person's id, derived from the address of their first mailbox (DESIGN section 1, "Who
 * is who"). Opaque, so keys and logs never carry the address itself.
 */
export function userIdFor(address: string): string {
  return `u${shortHash(requireAddress(address, 'address')).slice(0, 20)}`;
}

/**
 * The id of an account keyed on its address: one per provider mailbox (or per imported
 * archive owner). Google accounts, archives, and Microsoft accounts connected before
 * Sinew keyed them on their subject.
 */
export function accountIdFor(provider: string, address: string): string {
  return `${provider}-${shortHash(`${provider}:${requireAddress(address, 'address')}`).slice(0, 16)}`;
}

/**
 * The id of an account keyed on the provider's immutable id of it (Microsoft's `tid/oid`),
 * so a changed address is still the same account and an address typed into another
 * account is not. Hashed, like every id: keys and logs carry no directory ids.
 */
export function accountIdForSubject(provider: string, subject: string): string {
  if (!subject.trim()) throw new InputError(`an account subject must not be empty (provider ${provider})`);
  return `${provider}-${shortHash(`${provider}#subject:${subject.trim().toLowerCase()}`).slice(0, 16)}`;
}

/** Normalizes an address given by a user, or throws naming the flag. */
export function requireAddress(raw: string, flag: string): string {
  const a = normalizeAddress(raw);
  if (!a) throw new InputError(`${flag} must be an email address such as me@example.com (got '${raw}')`);
  return a;
}
