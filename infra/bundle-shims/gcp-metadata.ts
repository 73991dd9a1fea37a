/**
 * gcp-metadata (the Compute Engine metadata server's client) for the Lambda bundles only:
 * infra/bundling.ts aliases `gcp-metadata` here, which keeps it and json-bigint with
 * bignumber.js (about 30 KB of the sync worker) out. google-auth-library asks the
 * metadata server only for Application Default Credentials and Compute credentials
 * (`GoogleAuth`, `Compute`); Sinew's Google clients are `OAuth2Client`s refreshing a
 * user's refresh token (lib/providers/google/oauth.ts), which never ask. Off Google Cloud,
 * as Lambda is, the real package answers that no metadata server is there: so does this
 * one, at once, and a request for metadata fails.
 * test/infra/bundle-shims.test.ts checks the Google clients bundled with it.
 */

const NOT_ON_GCP = 'no Compute Engine metadata server in the Lambda bundle (Sinew authenticates Google with OAuth refresh tokens, not Application Default Credentials)';

export const BASE_PATH = '/computeMetadata/v1';
export const HOST_ADDRESS = 'http://169.254.169.254';
export const SECONDARY_HOST_ADDRESS = 'http://metadata.google.internal.';
export const HEADER_NAME = 'Metadata-Flavor';
export const HEADER_VALUE = 'Google';
export const HEADERS = Object.freeze({ [HEADER_NAME]: HEADER_VALUE });

async function refuse(): Promise<never> {
  throw new Error(NOT_ON_GCP);
}

export const instance = refuse;
export const project = refuse;
export const universe = refuse;
export const bulk = refuse;

/** Off Google Cloud: no metadata server answers. */
export async function isAvailable(): Promise<boolean> {
  return false;
}

export function resetIsAvailableCache(): void {}

/** Lambda does not run on Google Cloud. */
export function getGCPResidency(): boolean {
  return false;
}

export function setGCPResidency(): void {}

export default { BASE_PATH, HOST_ADDRESS, SECONDARY_HOST_ADDRESS, HEADER_NAME, HEADER_VALUE, HEADERS, instance, project, universe, bulk, isAvailable, resetIsAvailableCache, getGCPResidency, setGCPResidency };
