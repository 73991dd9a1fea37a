import { InputError } from '#lib/errors.ts';

/** Why a signed OAuth `state` was refused. */
export type StateFailure = 'malformed' | 'signature' | 'expired' | 'provider' | 'unexpected';

/**
 * An OAuth `state` came back altered, expired, for another provider, or not the one this
 * flow issued. The connect attempt must start over; the user did nothing wrong beyond
 * following a stale or forged link.
 */
export class InvalidStateError extends InputError {
  override name = 'InvalidStateError';
  constructor(
    message: string,
    readonly reason: StateFailure,
  ) {
    super(message);
  }
}

/** Why a consent did not become a usable grant. */
export type ConsentFailure = 'denied' | 'scopes' | 'code-refused' | 'identity' | 'timeout' | 'cancelled';

/**
 * Consent did not produce a grant Sinew may keep: the user declined, the granted scopes
 * break the metadata-only promise, the code was refused, or nobody answered in time.
 */
export class ConsentError extends InputError {
  override name = 'ConsentError';
  constructor(
    message: string,
    readonly reason: ConsentFailure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
