import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CONNECTED_PROVIDERS, providerFacts } from '#lib/providers/registry.ts';

/**
 * Finds branches on a provider's name in source text: `x === 'google'`, `'files' !== x`,
 * `case 'microsoft':`, a `switch` on a provider, or a regular expression alternating
 * provider names (`/^(google|microsoft)-/`). The names are every provider id and CLI name
 * the registry knows. Outside lib/providers/, code asks the registry instead.
 */
export function providerBranches(text: string): string[] {
  const names = [...new Set([...CONNECTED_PROVIDERS.flatMap((p) => [p.id, p.cliName]), providerFacts('files').id])].join('|');
  const patterns = [
    new RegExp(`[!=]==?\\s*(['"\`])(${names})\\1`, 'g'),
    new RegExp(`(['"\`])(${names})\\1\\s*[!=]==?`, 'g'),
    new RegExp(`\\bcase\\s+(['"\`])(${names})\\1`, 'g'),
    new RegExp(`\\((?:${names})(?:\\|(?:${names}))+\\)`, 'g'),
  ];
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const pattern of patterns) for (const m of line.matchAll(pattern)) found.push(`${i + 1}: ${m[0]}`);
  });
  return found;
}

/** Every TypeScript file under `dir` (relative to `root`), skipping `except` (a folder prefix). */
export function sourceFiles(root: string, dir: string, except: readonly string[] = []): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    if (except.some((x) => rel === x || rel.startsWith(`${x}/`))) return;
    const abs = join(root, rel);
    if (statSync(abs).isDirectory()) for (const name of readdirSync(abs)) walk(join(rel, name));
    else if (rel.endsWith('.ts')) out.push(relative(root, abs));
  };
  walk(dir);
  return out;
}

/** `file: line: match` for every provider branch in the files, read from `root`. */
export function providerBranchesIn(root: string, files: readonly string[]): string[] {
  return files.flatMap((f) => providerBranches(readFileSync(join(root, f), 'utf8')).map((hit) => `${f}:${hit}`));
}
