import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OutputFormat, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How every Lambda is bundled, in one place so the stack (NodejsFunction) and the bench
 * (`bench/functions.ts`, plain esbuild) build the very same bundles.
 *
 * Decisions:
 * - ESM, one file per function, minified, with an external source map (no sources
 *   content, so the map stays small) read by `NODE_OPTIONS=--enable-source-maps`.
 * - `@aws-sdk/*` is bundled, not left to the runtime's copy: the versions that run are the
 *   ones package-lock.json pins and the tests import, the bundle loads in a bare `node`
 *   (so it is tested offline), and tree-shaking keeps only the clients a function uses
 *   (the runtime's SDK would be loaded whole from disk at cold start anyway).
 * - ESM output with CommonJS dependencies bundled needs a real `require` (esbuild's shim
 *   throws `Dynamic require of "node:https"`), hence the createRequire banner.
 * - Under 1 MB each (issue 14; test/infra/bundle-size.test.ts holds the line, `npm run
 *   bench` prints the largest inputs). What is left out, and why it is safe:
 *   {@link LAMBDA_EXTERNAL} and {@link LAMBDA_ALIASES}.
 */

/** The repository root (where package.json and package-lock.json are). */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The Lambda entry points, one per file in functions/. */
export const FUNCTION_NAMES = [
  'connect',
  'links',
  'sync-dispatcher',
  'sync-worker',
  'report-dispatcher',
  'report-worker',
  'ses-events',
  'brief-dispatcher',
  'brief-worker',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** The entry file of a function. */
export function functionEntry(name: FunctionName): string {
  return join(PROJECT_ROOT, 'functions', `${name}.ts`);
}

/** Gives bundled CommonJS code a working `require` inside an ES module. */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/** esbuild's target for the Lambda runtime (Runtime.NODEJS_24_X). */
export const ESBUILD_TARGET = 'node24';

/**
 * The AWS SDK's credential sources other than the environment, left out of the bundles
 * (about 100 KB each). Lambda hands every function its role's credentials in
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, the first source
 * of the SDK's chain, so the chain never reaches the others, which it imports only when
 * it gets to them (`await import(...)`); were one reached, the import would find the
 * SDK copy that Lambda's Node.js runtime ships.
 */
export const LAMBDA_EXTERNAL = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-login',
] as const;

/**
 * Packages the bundles take from infra/bundle-shims/ instead (each file says what it
 * keeps of the package and why the rest is not needed): node-fetch (gaxios's fallback;
 * Sinew's Google clients use Node's fetch), qs (googleapis-common's query strings),
 * semver (aws-xray-sdk-core's check of an AWS SDK v2), and gcp-metadata, gtoken and jws
 * (google-auth-library's metadata-server and service-account credentials, which Sinew's
 * OAuth2Client never uses). About 800 KB of the sync worker. Tests run the real packages;
 * test/infra/bundle-shims.test.ts compares, and test/infra/bundle-shims-google.test.ts
 * syncs the Google emulator through the bundled clients.
 */
export const LAMBDA_ALIASES: Readonly<Record<string, string>> = {
  'node-fetch': join(PROJECT_ROOT, 'infra', 'bundle-shims', 'node-fetch.ts'),
  qs: join(PROJECT_ROOT, 'infra', 'bundle-shims', 'qs.ts'),
  semver: join(PROJECT_ROOT, 'infra', 'bundle-shims', 'semver.ts'),
  'gcp-metadata': join(PROJECT_ROOT, 'infra', 'bundle-shims', 'gcp-metadata.ts'),
  gtoken: join(PROJECT_ROOT, 'infra', 'bundle-shims', 'gtoken.ts'),
  jws: join(PROJECT_ROOT, 'infra', 'bundle-shims', 'jws.ts'),
};

/** The limit each function's bundle stays under (DESIGN section 7, issue 14), source map apart. */
export const BUNDLE_LIMIT_BYTES = 1024 * 1024;

/**
 * Functions allowed over {@link BUNDLE_LIMIT_BYTES}, with the ceiling each must not grow
 * past and what keeps it over: none since issue 14. The sync worker, the last one, came
 * under once sync refreshed Microsoft tokens without MSAL (lib/providers/microsoft/refresh.ts),
 * RFC 2047 was decoded without libmime, and qs, semver, gcp-metadata, gtoken and jws were
 * shimmed; connect, once Google's consent moved to fetch and mail stopped using
 * nodemailer's composer.
 */
export const BUNDLE_CEILINGS: Readonly<Partial<Record<FunctionName, { bytes: number; why: string }>>> = {};

/** The size a function's bundle must stay under: the limit, or its recorded ceiling. */
export function bundleLimit(name: FunctionName): number {
  return BUNDLE_CEILINGS[name]?.bytes ?? BUNDLE_LIMIT_BYTES;
}

/**
 * The esbuild options shared by the stack and the bench (a subset of esbuild's
 * BuildOptions, written out so infra does not import esbuild itself).
 */
export const ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: ESBUILD_TARGET,
  minify: true,
  // `linked`: a .map file beside the bundle and the comment Node needs to find it.
  sourcemap: 'linked',
  sourcesContent: false,
  // Prefer ESM builds of dependencies: better tree-shaking, smaller bundles.
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  legalComments: 'none',
  external: [...LAMBDA_EXTERNAL] as string[],
  alias: LAMBDA_ALIASES,
} as const;

/** The same options in NodejsFunction's vocabulary (local esbuild, never Docker). */
export function lambdaBundling(): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: ESBUILD_OPTIONS.target,
    minify: ESBUILD_OPTIONS.minify,
    sourceMap: true,
    sourceMapMode: SourceMapMode.DEFAULT,
    sourcesContent: ESBUILD_OPTIONS.sourcesContent,
    mainFields: [...ESBUILD_OPTIONS.mainFields],
    banner: ESBUILD_OPTIONS.banner.js,
    esbuildArgs: {
      '--legal-comments': ESBUILD_OPTIONS.legalComments,
      ...Object.fromEntries(Object.entries(ESBUILD_OPTIONS.alias).map(([name, path]) => [`--alias:${name}`, path])),
    },
    bundleAwsSDK: true,
    externalModules: [...ESBUILD_OPTIONS.external],
    forceDockerBundling: false,
  };
}
