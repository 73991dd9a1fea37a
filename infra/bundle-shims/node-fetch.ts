/**
 * node-fetch's API on Node's own fetch, for the Lambda bundles only (infra/bundling.ts
 * aliases `node-fetch` here). gaxios, under google-auth-library, imports node-fetch when
 * a request names no `fetchImplementation`; Sinew's Google clients name Node's fetch
 * (lib/providers/google/oauth.ts), so this stands in only for a path that forgot to, and
 * node-fetch with its stream and blob polyfills (about 90 KB) stays out of the bundles.
 */
export default globalThis.fetch;
export const { Headers, Request, Response, FormData, Blob, File } = globalThis;
