import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/bundling.ts';

const run = promisify(execFile);
const outdir = mkdtempSync(join(tmpdir(), 'sinew-app-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/**
 * The CDK app as `cdk synth` runs it (cdk.json's `app`, its context handed over in
 * CDK_CONTEXT_JSON as the CLI does), plus the `-c` values an admin adds.
 */
async function synth(extra: Record<string, unknown>): Promise<{ code: number; stderr: string }> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  try {
    const { stderr } = await run(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'infra/bin/app.ts')], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJson.context, ...extra }) },
      timeout: 60_000,
    });
    return { code: 0, stderr };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? '' };
  }
}

describe('cdk synth with cdk.json as shipped', () => {
  it('stops until the admin chooses who may sign up, in one line saying how', async () => {
    const { code, stderr } = await synth({});
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^Sinew: CDK context "allowedDomains": choose who may sign up: -c allowedDomains=example\.com,\.\.\. .* or -c allowedDomains=\* to admit anyone/),
    ]);
  }, 60_000);
});
