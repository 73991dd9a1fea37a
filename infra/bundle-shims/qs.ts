/**
 * The one function googleapis-common calls of qs, `stringify(params, { arrayFormat })`
 * (the query string of every Gmail and Calendar request: `repeat` in apirequest.js, the
 * default `indices` in its http2 path), for the Lambda bundles only: infra/bundling.ts
 * aliases `qs` here, which keeps qs and what it pulls in for its cycle detection and
 * `inspect` (object-inspect, get-intrinsic, side-channel: about 54 KB of the sync
 * worker) out. It writes what qs 6 writes with its defaults: keys in insertion order,
 * nested keys in brackets, arrays as the format says, an empty array left out, `null` as
 * an empty value, `undefined` left out, a Date as its ISO string, and keys and values
 * percent-encoded as RFC 3986 (everything but `A-Z a-z 0-9 - . _ ~`, UTF-8, a lone
 * surrogate as U+FFFD). Any other option throws rather than being ignored.
 * test/infra/bundle-shims.test.ts compares it with qs, and runs the Gmail and Calendar
 * clients bundled with it against the emulator.
 */

type ArrayFormat = 'indices' | 'brackets' | 'repeat';
const FORMATS: ReadonlySet<string> = new Set(['indices', 'brackets', 'repeat']);

/** qs's `stringify` for the options above. */
export function stringify(object: unknown, options: { arrayFormat?: ArrayFormat } = {}): string {
  const unsupported = Object.keys(options).filter((k) => k !== 'arrayFormat');
  const format = options.arrayFormat ?? 'indices';
  if (unsupported.length > 0 || !FORMATS.has(format)) {
    throw new Error(`qs stand-in: only stringify's arrayFormat (indices, brackets, repeat) is supported, not ${JSON.stringify(options)}`);
  }
  if (typeof object !== 'object' || object === null) return '';
  const parts: string[] = [];
  for (const key of Object.keys(object)) write(parts, (object as Record<string, unknown>)[key], key, format);
  return parts.join('&');
}

function write(parts: string[], input: unknown, prefix: string, format: ArrayFormat): void {
  let value = input instanceof Date ? input.toISOString() : input;
  if (value === null) value = '';
  if (isPrimitive(value) || Buffer.isBuffer(value)) {
    parts.push(`${encode(prefix)}=${encode(value)}`);
    return;
  }
  if (typeof value !== 'object' || value === undefined) return;
  const array = Array.isArray(value);
  for (const key of Object.keys(value as object)) {
    const item = (value as Record<string, unknown>)[key];
    const name = !array ? `${prefix}[${key}]` : format === 'indices' ? `${prefix}[${key}]` : format === 'brackets' ? `${prefix}[]` : prefix;
    write(parts, item, name, format);
  }
}

function isPrimitive(v: unknown): v is string | number | boolean | symbol | bigint {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'symbol' || typeof v === 'bigint';
}

/** qs's RFC 3986 encoder: encodeURIComponent's, with `! ' ( ) *` encoded too and a lone surrogate as U+FFFD. */
function encode(value: unknown): string {
  const text = typeof value === 'symbol' ? value.toString() : String(value);
  const wellFormed = text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return encodeURIComponent(wellFormed).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export default { stringify };
