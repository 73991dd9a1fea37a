/**
 * One error hierarchy for Sinew. Every error says what went wrong and, where it can,
 * what to do about it; adapters (CLI, Lambda handlers) map these to exit codes and
 * responses.
 */
export class SinewError extends Error {
  override name = 'SinewError';
  constructor(
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Input the user gave us (a flag, a file, a setting) is wrong. */
export class InputError extends SinewError {
  override name = 'InputError';
}

/** A file could not be read as the format it claims to be. */
export class FormatError extends SinewError {
  override name = 'FormatError';
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
  }
}

/** Configuration (environment or CDK context) is invalid. */
export class ConfigError extends SinewError {
  override name = 'ConfigError';
}

/** The store could not do what was asked. */
export class StoreError extends SinewError {
  override name = 'StoreError';
}

/**
 * The provider refused the account's grant (`invalid_grant`, revoked consent): the
 * account must be reconnected by its owner; retrying cannot help.
 */
export class ReconnectRequiredError extends SinewError {
  override name = 'ReconnectRequiredError';
}

/** The provider throttled us or failed transiently, and retries ran out. */
export class ProviderUnavailableError extends SinewError {
  override name = 'ProviderUnavailableError';
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
