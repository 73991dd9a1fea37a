import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_CEILINGS, BUNDLE_LIMIT_BYTES, bundleLimit, FUNCTION_NAMES, LAMBDA_ALIASES, LAMBDA_EXTERNAL, type FunctionName } from '#infra/bundling.ts';
import { buildFunctionBundle, inputsInOutput, largestInputs, type MeasuredBundle } from '#bench/bundles.ts';

/**
 * Issue 14: every Lambda bundle under 1 MB (source map apart), built with the stack's own
 * esbuild options, so the size cannot creep back. None holds a recorded ceiling any more
 * (infra/bundling.ts, BUNDLE_CEILINGS is empty: the sync worker, the last one, came under
 * at 1,008,675 bytes). What the bundles leave out must stay out.
 */

const outdir = mkdtempSync(join(tmpdir(), 'sinew-bundle-size-'));
const built = new Map<FunctionName, MeasuredBundle>();

beforeAll(async () => {
  await Promise.all(
    FUNCTION_NAMES.map(async (name) => built.set(name, await buildFunctionBundle(name, outdir))),
  );
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

describe('Lambda bundle sizes', () => {
  it.each(FUNCTION_NAMES.map((name) => [name]))('%s stays under its limit', (name) => {
    const { bytes, metafile } = built.get(name)!;
    const top = largestInputs(metafile).map((i) => `${i.owner} ${kb(i.bytes)}`).join(', ');
    expect(bytes, `${name}: ${kb(bytes)}, limit ${kb(bundleLimit(name))}; largest inputs: ${top}`).toBeLessThan(bundleLimit(name));
  });

  it('holds the 1 MB limit for all but the recorded exceptions (none now), and each exception is really over it', () => {
    const over = FUNCTION_NAMES.filter((name) => built.get(name)!.bytes >= BUNDLE_LIMIT_BYTES);
    expect(over.sort()).toEqual(Object.keys(BUNDLE_CEILINGS).sort());
    expect(Object.keys(BUNDLE_CEILINGS)).toEqual([]);
    for (const name of FUNCTION_NAMES) expect(bundleLimit(name), name).toBe(1024 * 1024);
  });

  it('keeps Google\'s libraries out of the functions that only consent or revoke (connect, links)', () => {
    for (const name of ['connect', 'links'] as const) {
      const inputs = inputsInOutput(built.get(name)!.metafile);
      expect(inputs.filter((p) => /node_modules\/(google-auth-library|gaxios|gtoken|googleapis-common)\//.test(p)), name).toEqual([]);
    }
  });

  it('keeps MSAL and libmime out of the sync worker: it refreshes Microsoft tokens and decodes RFC 2047 itself', () => {
    const inputs = inputsInOutput(built.get('sync-worker')!.metafile);
    expect(inputs.filter((p) => /node_modules\/(@azure\/msal-|libmime\/|jsonwebtoken\/)/.test(p))).toEqual([]);
  });

  it('leaves out MJML, nodemailer, the charset tables, node-fetch, zod’s other locales and the SDK credential sources other than the environment', () => {
    const banned = [
      /node_modules\/mjml/, /node_modules\/iconv-lite\//, /node_modules\/nodemailer\//, /node_modules\/encoding-japanese\//, /node_modules\/node-fetch\//, /node_modules\/typescript\//,
      // `import { z } from 'zod'` keeps all of zod, every locale with it (about 350 KB): write `import * as z from 'zod'`.
      /node_modules\/zod\/v4\/locales\/(?!en\.js|index\.js)/,
    ];
    for (const name of FUNCTION_NAMES) {
      // What reaches the output (the metafile also lists inputs tree-shaking dropped whole).
      const inputs = inputsInOutput(built.get(name)!.metafile);
      for (const pattern of banned) expect(inputs.filter((p) => pattern.test(p)), `${name}: ${pattern}`).toEqual([]);
      for (const pkg of [...LAMBDA_EXTERNAL, ...Object.keys(LAMBDA_ALIASES)]) expect(inputs.filter((p) => p.includes(`node_modules/${pkg}/`)), `${name}: ${pkg}`).toEqual([]);
    }
  });
});
