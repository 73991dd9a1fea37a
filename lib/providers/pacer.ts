/**
 * How a provider source makes its HTTP calls: through a pacer that spends quota units
 * before each call (waiting when the budget is spent) and retries what is retryable.
 * Sources never sleep or retry on their own.
 */
export interface RequestPacer {
  /**
   * Runs `fn` once `cost` quota units are available, retrying throttling (429, 403
   * rate-limit reasons), 5xx and connection resets with backoff and jitter. Throws
   * `ReconnectRequiredError` for a revoked grant and `ProviderUnavailableError` when
   * retries run out.
   */
  run<T>(cost: number, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}
