/**
 * The one call libmime makes to encoding-japanese, `convert(bytes, { to: 'UNICODE',
 * from, type: 'string' })` for the JIS, ISO-2022-JP and EUC-JP charsets, on Node's
 * TextDecoder: for the Lambda bundles only (infra/bundling.ts aliases the package here,
 * keeping its tables, about 90 KB, out). An unknown charset throws, and libmime then
 * tries its iconv-lite path (infra/bundle-shims/iconv-lite.ts).
 */

function encodingOf(from: string): string {
  if (/^(jis|iso-?2022-?jp)/i.test(from)) return 'iso-2022-jp';
  if (/^euc-?jp/i.test(from)) return 'euc-jp';
  if (/^(sjis|shift[-_]?jis)/i.test(from)) return 'shift_jis';
  throw new Error(`encoding-japanese stand-in: cannot decode ${from}`);
}

export function convert(data: Uint8Array | string, options: { to: string; from: string; type?: string }): string {
  if (options.to !== 'UNICODE' || options.type !== 'string') throw new Error('encoding-japanese stand-in: only decodes to a string');
  const bytes = typeof data === 'string' ? Buffer.from(data, 'binary') : data;
  return new TextDecoder(encodingOf(options.from)).decode(bytes);
}

export default { convert };
