/**
 * The one function the bundles call of semver, `gte(version, minimum)`: aws-xray-sdk-core
 * (under Powertools' tracer) checks the version of an AWS SDK v2 handed to `captureAWS`,
 * which Sinew never calls (its clients are SDK v3). For the Lambda bundles only:
 * infra/bundling.ts aliases `semver` here, which keeps semver's ranges, parsers and
 * caches (about 29 KB of every function) out. It compares as semver 7 does in strict
 * mode: `[v]major.minor.patch[-prerelease][+build]`, numbers without leading zeros, a
 * release above its prereleases, prerelease identifiers numeric before alphanumeric; an
 * invalid version throws semver's TypeError. Anything else semver offers throws.
 * test/infra/bundle-shims.test.ts compares it with semver.
 */

const NUMBER = '0|[1-9]\\d*';
const IDENTIFIER = `(?:${NUMBER}|\\d*[a-zA-Z-][a-zA-Z0-9-]*)`;
const VERSION = new RegExp(`^v?(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})(?:-(${IDENTIFIER}(?:\\.${IDENTIFIER})*))?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`);

interface Parsed {
  main: [number, number, number];
  prerelease: Array<string | number>;
}

function parse(version: unknown): Parsed {
  if (typeof version !== 'string') throw new TypeError(`Invalid version. Must be a string. Got type "${typeof version}".`);
  if (version.length > 256) throw new TypeError('version is longer than 256 characters');
  const m = VERSION.exec(version.trim());
  if (!m) throw new TypeError(`Invalid Version: ${version}`);
  const main = [Number(m[1]), Number(m[2]), Number(m[3])] as [number, number, number];
  if (main.some((n) => n > Number.MAX_SAFE_INTEGER)) throw new TypeError('Invalid version');
  const prerelease = m[4] === undefined ? [] : m[4].split('.').map((id) => (/^[0-9]+$/.test(id) && Number(id) < Number.MAX_SAFE_INTEGER ? Number(id) : id));
  return { main, prerelease };
}

function compareIdentifiers(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

function compare(a: unknown, b: unknown): number {
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.main[i] !== y.main[i]) return x.main[i]! < y.main[i]! ? -1 : 1;
  if (x.prerelease.length === 0 || y.prerelease.length === 0) return x.prerelease.length === y.prerelease.length ? 0 : x.prerelease.length === 0 ? 1 : -1;
  for (let i = 0; ; i++) {
    const p = x.prerelease[i];
    const q = y.prerelease[i];
    if (p === undefined && q === undefined) return 0;
    if (q === undefined) return 1;
    if (p === undefined) return -1;
    const c = compareIdentifiers(p, q);
    if (c !== 0) return c;
  }
}

/** semver's `gte(a, b)`: true when version `a` is `b` or later. */
export function gte(a: unknown, b: unknown): boolean {
  return compare(a, b) >= 0;
}

export default { gte };
