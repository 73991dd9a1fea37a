import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { ESBUILD_OPTIONS, LAMBDA_ALIASES, PROJECT_ROOT } from '#infra/bundling.ts';
import { runLoopbackConsent } from '#lib/connect/loopback.ts';
import { GoogleOAuth } from '#lib/providers/google/oauth.ts';
import { googleSources } from '#lib/providers/google/sources.ts';
import type { ChangeSource, SourcePage } from '#lib/providers/types.ts';
import { calendarFixture, WEEKLY_WITH_C1 } from '#test/support/google/calendar-fixture.ts';
import { buildMailbox } from '#test/support/google/gmail-fixture.ts';
import { consentInBrowser, startGoogleWorld, TEST_CLIENT, type GoogleWorld } from '#test/support/google/world.ts';
import { AS_OF } from '#test/support/sync-provider.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';

/**
 * Issue 14: the Gmail and Calendar clients as the Lambda bundles carry them, with qs,
 * semver, gcp-metadata, gtoken and jws replaced by infra/bundle-shims/ (and node-fetch
 * before them), against the Google emulator: a full sync
 * through the bundled sources (the real @googleapis/gmail and @googleapis/calendar,
 * googleapis-common and google-auth-library's OAuth2Client refreshing the token) sends
 * exactly the requests, query strings included, and yields exactly the pages of the same
 * sources on the real packages.
 */

interface Bundled {
  GoogleOAuth: typeof GoogleOAuth;
  googleSources: typeof googleSources;
}

let dir: string;
let bundled: Bundled;
let world: GoogleWorld;
let clock: VirtualClock;
let refreshToken: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sinew-google-shims-'));
  const entry = join(dir, 'entry.ts');
  writeFileSync(entry, [
    `export { GoogleOAuth } from ${JSON.stringify(join(PROJECT_ROOT, 'lib/providers/google/oauth.ts'))};`,
    `export { googleSources } from ${JSON.stringify(join(PROJECT_ROOT, 'lib/providers/google/sources.ts'))};`,
  ].join('\n'));
  const outfile = join(dir, 'out.mjs');
  const result = await build({
    ...ESBUILD_OPTIONS, mainFields: [...ESBUILD_OPTIONS.mainFields], external: [...ESBUILD_OPTIONS.external],
    entryPoints: [entry], outfile, absWorkingDir: PROJECT_ROOT, logLevel: 'silent', sourcemap: false, metafile: true,
  });
  const inputs = Object.keys(result.metafile.inputs);
  for (const pkg of Object.keys(LAMBDA_ALIASES)) expect(inputs.filter((p) => p.includes(`node_modules/${pkg}/`)), pkg).toEqual([]);
  // The real clients are in: only what the shims replace is not.
  for (const pkg of ['@googleapis/gmail', '@googleapis/calendar', 'googleapis-common', 'google-auth-library', 'gaxios']) {
    expect(inputs.some((p) => p.includes(`node_modules/${pkg}/`)), pkg).toBe(true);
  }
  bundled = (await import(pathToFileURL(outfile).href)) as Bundled;

  clock = new VirtualClock(AS_OF);
  world = await startGoogleWorld({
    mailbox: buildMailbox({ messages: 150, seed: 11, asOf: AS_OF }),
    calendar: calendarFixture(clock, AS_OF, [WEEKLY_WITH_C1, { id: 'lunch', daysAgo: 10, hour: 12, contact: 'c7@partner7.example' }]),
    clock,
  });
  refreshToken = (await runLoopbackConsent({ provider: 'google', oauth: world.oauth, onUrl: (url) => void consentInBrowser(url) })).refreshToken;
}, 120_000);

afterAll(async () => {
  await world?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A full sync of every source; the pages, and every request it made with its query string. */
async function fullSync(sources: ChangeSource[]): Promise<{ pages: Record<string, SourcePage[]>; requests: string[] }> {
  const before = world.emulator.requests.length;
  const pages: Record<string, SourcePage[]> = {};
  for (const source of sources) {
    pages[source.resource] = [];
    for await (const page of source.pages(undefined)) pages[source.resource]!.push(page);
  }
  // Messages and threads are fetched several at a time: the order of those requests varies from run to run.
  const requests = world.emulator.requests.slice(before).map((r) => `${r.method} ${r.path}?${r.query.toString()} -> ${r.status}`).sort();
  return { pages, requests };
}

describe('Google clients in the Lambda bundle', () => {
  it('sync the emulator with the same requests and to the same pages as on the real packages', async () => {
    // Each run on its own clock from the same instant: the calendar's window counts from it, and pacing sleeps on it.
    const options = (auth: ReturnType<GoogleOAuth['clientFor']>) => ({ auth, accountId: 'google:me@example.com', rootUrl: world.emulator.url, clock: new VirtualClock(AS_OF) });
    const endpoints = { ...TEST_CLIENT, authUrl: `${world.emulator.url}o/oauth2/v2/auth`, tokenUrl: `${world.emulator.url}token` };

    const real = await fullSync(googleSources(options(new GoogleOAuth(endpoints).clientFor(refreshToken))));
    const shimmed = await fullSync(bundled.googleSources(options(new bundled.GoogleOAuth(endpoints).clientFor(refreshToken))));

    expect(real.pages.gmail!.flatMap((p) => p.items).length).toBeGreaterThan(100);
    expect(real.pages['gcal:primary']!.flatMap((p) => p.items).length).toBeGreaterThan(0);
    // Query strings with repeated arrays (metadataHeaders, labelIds), as qs writes them.
    expect(real.requests.some((r) => /metadataHeaders=[^&]+&metadataHeaders=/.test(r))).toBe(true);
    expect(shimmed.requests).toEqual(real.requests);
    expect(JSON.stringify(shimmed.pages)).toBe(JSON.stringify(real.pages));
  }, 120_000);
});
