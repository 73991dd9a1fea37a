import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { build } from 'esbuild';
import libmime from 'libmime';
import nodeFetchShim from '#infra/bundle-shims/node-fetch.ts';
import * as qsShim from '#infra/bundle-shims/qs.ts';
import * as semverShim from '#infra/bundle-shims/semver.ts';
import { ESBUILD_OPTIONS, PROJECT_ROOT } from '#infra/bundling.ts';
import { decodeWords } from '#lib/providers/files/address-list.ts';
import { GoogleOAuth } from '#lib/providers/google/oauth.ts';
import { GoogleOAuthEmulator, serveOnLoopback } from '#test/support/google/oauth-emulator.ts';
import iconv from 'iconv-lite';
import { CHARSET_SAMPLES as SAMPLES } from '#test/support/charset-samples.ts';

/**
 * Issue 14: the Lambda bundles take node-fetch, qs, semver,
 * gcp-metadata, gtoken and jws from infra/bundle-shims/ (infra/bundling.ts). The shims
 * must do what the packages do for what the bundles ask of them (write Google's query
 * strings, compare versions), and the Google clients must not
 * need node-fetch, the metadata server or service-account signing at all: the Gmail and
 * Calendar sources bundled with the shims sync the emulator with the very requests, and
 * to the very items, of the sources on the real packages (./bundle-shims-google.test.ts).
 */

// The real packages (untyped: loaded as the bundled libraries require them).
const require = createRequire(import.meta.url);
const qs = require('qs') as { stringify(object: unknown, options?: object): string };
const semver = require('semver') as { gte(a: unknown, b: unknown): boolean };


describe('RFC 2047 names in the bundle (lib/providers/files/encoded-words.ts, no libmime)', () => {
  let dir: string;
  let bundled: (text: string) => string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sinew-shims-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, `export { decodeWords } from ${JSON.stringify(join(PROJECT_ROOT, 'lib/providers/files/address-list.ts'))};\n`);
    const outfile = join(dir, 'out.mjs');
    await build({ ...ESBUILD_OPTIONS, mainFields: [...ESBUILD_OPTIONS.mainFields], external: [...ESBUILD_OPTIONS.external], entryPoints: [entry], outfile, absWorkingDir: PROJECT_ROOT, logLevel: 'silent', sourcemap: false, metafile: true }).then((r) => {
      const inputs = Object.keys(r.metafile.inputs);
      expect(inputs.some((p) => p.includes('node_modules/iconv-lite/'))).toBe(false);
      expect(inputs.some((p) => p.includes('node_modules/encoding-japanese/'))).toBe(false);
      expect(inputs.some((p) => p.includes('node_modules/libmime/'))).toBe(false);
    });
    bundled = ((await import(pathToFileURL(outfile).href)) as { decodeWords: (t: string) => string }).decodeWords;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes encoded words exactly as libmime on the real packages does', () => {
    const words = [
      ...SAMPLES.map(([charset, text]) => `=?${charset.toUpperCase()}?B?${iconv.encode(text, charset).toString('base64')}?= <a@example.com>`),
      `=?iso-8859-1?Q?Ren=E9e?= and =?windows-1252?Q?=93quoted=94?=`,
      '=?ISO-2022-JP?B?GyRCRnxLXBsoQg==?= <taro@example.jp>',
      '=?utf-8?Q?Caf=C3=A9?= Owner',
      '=?x-unknown?Q?plain?=',
      '=?utf-7?Q?+ADw-script+AD4-?=',
    ];
    for (const w of words) {
      expect(bundled(w), w).toBe(decodeWords(w));
      expect(bundled(w), w).toBe(libmime.decodeWords(w));
    }
  });
});

describe('the node-fetch stand-in', () => {
  let emulator: GoogleOAuthEmulator;
  let server: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    emulator = new GoogleOAuthEmulator({ clientId: 'c.apps.googleusercontent.com', clientSecret: 's' });
    server = await serveOnLoopback(emulator.handle);
  });
  afterAll(() => server.close());
  afterEach(() => vi.restoreAllMocks());

  it('is Node’s own fetch', () => {
    expect(nodeFetchShim).toBe(globalThis.fetch);
  });

  it('is never needed: Google’s OAuth client sends through Node’s fetch', async () => {
    const spy = vi.spyOn(globalThis, 'fetch');
    const oauth = new GoogleOAuth({ clientId: 'c.apps.googleusercontent.com', clientSecret: 's', tokenUrl: `${server.url}/token` });
    // Revoking an unknown token: Google answers 400 invalid_token, which counts as done.
    await oauth.revoke('no-such-token').catch(() => undefined);
    expect(spy.mock.calls.some(([url]) => String(url instanceof Request ? url.url : url).startsWith(`${server.url}/revoke`))).toBe(true);
  });
});

describe('the qs stand-in', () => {
  const params: Array<Record<string, unknown>> = [
    // What the Gmail and Calendar clients send: arrays repeated, spaces as %20, reserved characters encoded.
    { userId: 'me', labelIds: ['INBOX', 'SENT'], q: 'after:2024/01/01 from:"Zoë B" (x) -{y}', maxResults: 500, pageToken: 'a/b+c=d', format: 'metadata', metadataHeaders: ['From', 'To', 'Message-ID'] },
    { calendarId: 'primary', singleEvents: true, showDeleted: false, timeMin: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), syncToken: undefined, fields: 'items(id,start),nextPageToken' },
    { empty: '', nothing: null, none: [], zero: 0, big: 12n, unicode: 'Zoë 東京 🎉', lone: 'a\uD800b\uDC00c', marks: "!'()*~-._", amp: 'a&b=c#d?e' },
    { nested: { a: { b: 1, c: [1, 2] } }, list: [{ id: 1 }, { id: 2 }], 'k[ey]': 'v' },
  ];

  it('writes what qs writes, in each array format googleapis-common uses', () => {
    for (const p of params) {
      expect(qsShim.stringify(p, { arrayFormat: 'repeat' }), JSON.stringify(Object.keys(p))).toBe(qs.stringify(p, { arrayFormat: 'repeat' }));
      expect(qsShim.stringify(p), JSON.stringify(Object.keys(p))).toBe(qs.stringify(p));
      expect(qsShim.stringify(p, { arrayFormat: 'brackets' })).toBe(qs.stringify(p, { arrayFormat: 'brackets' }));
    }
    expect(qsShim.stringify(null)).toBe(qs.stringify(null));
    expect(qsShim.stringify('text')).toBe(qs.stringify('text'));
  });

  it('refuses an option it does not implement rather than ignoring it', () => {
    expect(() => qsShim.stringify({ a: 1 }, { encode: false } as never)).toThrow(/qs stand-in/);
    expect(() => qsShim.stringify({ a: [1] }, { arrayFormat: 'comma' } as never)).toThrow(/qs stand-in/);
  });
});

describe('the semver stand-in', () => {
  it('compares versions as semver.gte does, and refuses an invalid one with semver\'s error', () => {
    const versions = ['2.7.15', '2.7.14', '2.10.0', '2.1675.0', 'v3.0.0', ' 2.7.15 ', '2.7.15-beta.1', '2.7.15-beta.2', '2.7.15-beta.10', '2.7.15-alpha', '2.7.15-1', '2.7.15+build.7', '10.0.0', '0.0.0'];
    for (const a of versions) for (const b of versions) expect(semverShim.gte(a, b), `${a} >= ${b}`).toBe(semver.gte(a, b));
    for (const bad of ['2.7', '02.7.15', 'latest', '']) {
      expect(() => semverShim.gte(bad, '2.7.15'), bad).toThrow(TypeError);
      expect(() => semver.gte(bad, '2.7.15'), bad).toThrow(TypeError);
    }
    expect(() => semverShim.gte(undefined, '2.7.15')).toThrow(TypeError);
  });
});
