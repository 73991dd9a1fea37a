import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BUNDLE_LIMIT_BYTES, bundleLimit, ESM_REQUIRE_BANNER, FUNCTION_NAMES } from '#infra/bundling.ts';
import { SinewStack } from '#infra/sinew-stack.ts';

const run = promisify(execFile);
const outdir = mkdtempSync(join(tmpdir(), 'sinew-bundles-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Imports a bundle in a fresh `node` with an empty environment, as Lambda's init would, and reports its exports. */
const IMPORT_CHILD = `
const url = process.argv[1];
const mod = await import(url);
process.stdout.write(JSON.stringify({ handler: typeof mod.handler }));
`;

describe('`cdk synth` end to end: real esbuild bundles, cdk-nag and CDK\'s CloudFormation rules as errors', () => {
  it('bundles each function to one ESM file with a linked source map, which loads in a bare node and exports handler', async () => {
    const app = new App({
      outdir,
      // As cdk.json sets it (and the sign-up choice it leaves to the admin): a CloudFormation rule finding fails synthesis.
      context: { senderAddress: 'reports@example.com', allowedDomains: 'example.com', '@aws-cdk/core:validateAgainstDefaultRules': true },
    });
    const stack = new SinewStack(app, 'Sinew');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    app.synth();
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    const bundles = Object.entries(functions).map(([id, fn]) => {
      const key = (fn.Properties.Code as { S3Key: string }).S3Key;
      return { id, file: join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs') };
    });
    expect(bundles).toHaveLength(FUNCTION_NAMES.length);
    expect(new Set(bundles.map((b) => b.file)).size).toBe(FUNCTION_NAMES.length);

    const results = await Promise.all(
      bundles.map(async ({ id, file }) => {
        expect(existsSync(file), `${id}: ${file}`).toBe(true);
        expect(existsSync(`${file}.map`), `${id}: source map`).toBe(true);
        const source = readFileSync(file, 'utf8');
        expect(source.startsWith(ESM_REQUIRE_BANNER), `${id}: createRequire banner`).toBe(true);
        expect(source).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', IMPORT_CHILD, pathToFileURL(file).href], {
          env: {},
          timeout: 30_000,
        });
        return { id, exports: JSON.parse(stdout) as { handler: string } };
      }),
    );
    for (const r of results) expect(r.exports, r.id).toEqual({ handler: 'function' });
    // The stack's bundler applies the size work too (aliases and externals passed as esbuild
    // flags): test/infra/bundle-size.test.ts holds each function to its limit.
    const sizes = bundles.map(({ file }) => statSync(file).size);
    expect(Math.max(...sizes)).toBeLessThan(Math.max(...FUNCTION_NAMES.map(bundleLimit)));
    expect(sizes.filter((b) => b < BUNDLE_LIMIT_BYTES).length).toBe(FUNCTION_NAMES.filter((n) => bundleLimit(n) === BUNDLE_LIMIT_BYTES).length);
  }, 180_000);
});
