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
