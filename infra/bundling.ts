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
  external: [] as string[],
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
    esbuildArgs: { '--legal-comments': ESBUILD_OPTIONS.legalComments },
    bundleAwsSDK: true,
    externalModules: [...ESBUILD_OPTIONS.external],
    forceDockerBundling: false,
  };
}
