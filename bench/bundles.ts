/**
 * Measuring a Lambda bundle as the stack builds it (the stack's own esbuild options,
 * infra/bundling.ts): its size and esbuild's metafile, read by the bundle-size test
 * (test/infra/bundle-size.test.ts) and the bench (bench/functions.ts) alike, so both
 * measure the same thing.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { ESBUILD_OPTIONS, functionEntry, PROJECT_ROOT, type FunctionName } from '#infra/bundling.ts';

/** One function's bundle: where it was written, its size in bytes, esbuild's metafile, how long esbuild took. */
export interface MeasuredBundle {
  outfile: string;
  bytes: number;
  metafile: Metafile;
  buildMs: number;
}

/** Bundles function `name` into `dir/<name>/index.mjs` (with its source map) and measures it. */
export async function buildFunctionBundle(name: FunctionName, dir: string): Promise<MeasuredBundle> {
  const outfile = join(dir, name, 'index.mjs');
  const t = performance.now();
  const { metafile } = await build({
    ...ESBUILD_OPTIONS,
    mainFields: [...ESBUILD_OPTIONS.mainFields],
    external: [...ESBUILD_OPTIONS.external],
    entryPoints: [functionEntry(name)],
    outfile,
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'silent',
    metafile: true,
  });
  return { outfile, bytes: statSync(outfile).size, metafile, buildMs: performance.now() - t };
}

/** The entry point's output of a metafile (the bundle, not its map). */
function entryOutput(metafile: Metafile): Metafile['outputs'][string] | undefined {
  return Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
}

/** The inputs that reach the bundle (the metafile also lists inputs tree-shaking dropped whole). */
export function inputsInOutput(metafile: Metafile): string[] {
  return Object.entries(entryOutput(metafile)!.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([path]) => path);
}

/** The package an input belongs to (`@scope/name`), or its folder of this repository (`lib/report`). */
export function inputOwner(path: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1]!;
  const own = /(?:^|\/)((?:lib|functions|infra)\/[^/]+)/.exec(path);
  return own ? own[1]!.replace(/\.ts$/, '') : path;
}

/** Bytes each package (or folder) adds to one output of an esbuild metafile, largest first. */
export function largestInputs(metafile: Metafile, top = 5): Array<{ owner: string; bytes: number }> {
  const byOwner = new Map<string, number>();
  for (const [path, input] of Object.entries(entryOutput(metafile)?.inputs ?? {})) {
    byOwner.set(inputOwner(path), (byOwner.get(inputOwner(path)) ?? 0) + input.bytesInOutput);
  }
  return [...byOwner].map(([owner, bytes]) => ({ owner, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, top);
}
