import { describe, expect, it } from 'vitest';
import { loadConfig } from '#lib/config.ts';
import { accountIdFor, accountIdForSubject } from '#lib/connect/identity.ts';
import { ConfigError, InputError } from '#lib/errors.ts';
import { CALENDAR_EVENTS_READONLY_SCOPE, GMAIL_METADATA_SCOPE, GOOGLE_CONNECT_SCOPES } from '#lib/providers/google/oauth.ts';
import { MS_CONNECT_SCOPES } from '#lib/providers/microsoft/oauth.ts';
import {
  CONNECTED_PROVIDERS,
  connectedProvider,
  ICS_IMPORT_CURSOR,
  isCalendarCursor,
  providerFacts,
  providerForCli,
  providerOfAccountId,
} from '#lib/providers/registry.ts';
import { lambdaEnvSchema } from '#functions/shared/env.ts';

/** Each provider described once: what the CLI, the pages, the handlers and the report read of it. */
describe('provider registry', () => {
  const google = connectedProvider('google')!;
  const microsoft = connectedProvider('microsoft')!;

  it('names each connected provider on the command line and on pages, in the order the pages offer them', () => {
    expect(CONNECTED_PROVIDERS.map((p) => [p.id, p.cliName, p.label])).toStrictEqual([
      ['google', 'gmail', 'Google'],
      ['microsoft', 'microsoft', 'Microsoft 365'],
    ]);
    expect(providerFacts('files')).toMatchObject({ id: 'files', label: 'imported', arrival: 'import' });
    expect(connectedProvider('files')).toBeUndefined();
    expect(providerForCli('gmail')).toBe(google);
    expect(providerForCli('microsoft')).toBe(microsoft);
    expect(() => providerForCli('google')).toThrow(InputError);
    expect(() => providerForCli('outlook')).toThrow("sinew connect: unknown provider 'outlook' (choose gmail or microsoft)");
  });

  it('asks exactly the scopes each consent client asks for', () => {
    expect(google.connectScopes).toStrictEqual(GOOGLE_CONNECT_SCOPES);
    expect(microsoft.connectScopes).toStrictEqual(MS_CONNECT_SCOPES);
  });

  it('says how a grant ends: Google revokes, Microsoft sends the person to remove the consent', () => {
    expect(google.grant).toMatchObject({ revocable: true, settingsUrl: 'https://myaccount.google.com/permissions' });
    expect(google.grant.personalSettingsUrl).toBeUndefined();
    expect(microsoft.grant).toMatchObject({
      revocable: false,
      settingsUrl: 'https://myapps.microsoft.com',
      personalSettingsUrl: 'https://account.live.com/consent/Manage',
    });
  });

  it('tells whether a granted scope list covers the calendar, as each provider spells its scopes', () => {
    expect(google.grant.coversCalendar([GMAIL_METADATA_SCOPE, CALENDAR_EVENTS_READONLY_SCOPE])).toBe(true);
    // Broader calendar scopes read events too.
    expect(google.grant.coversCalendar(['https://www.googleapis.com/auth/calendar.readonly'])).toBe(true);
    expect(google.grant.coversCalendar([GMAIL_METADATA_SCOPE, 'openid', 'email'])).toBe(false);
    // A Graph permission spelled Google's way, or Google's spelled Graph's way, is not the other's calendar.
    expect(google.grant.coversCalendar(['Calendars.ReadBasic'])).toBe(false);
    expect(microsoft.grant.coversCalendar(['Mail.ReadBasic', 'Calendars.ReadBasic'])).toBe(true);
    expect(microsoft.grant.coversCalendar(['https://graph.microsoft.com/Calendars.Read'])).toBe(true);
    expect(microsoft.grant.coversCalendar(['Mail.ReadBasic', 'User.Read', 'offline_access'])).toBe(false);
    expect(microsoft.grant.coversCalendar([CALENDAR_EVENTS_READONLY_SCOPE])).toBe(false);
  });

  it('knows each provider\'s calendar cursors, and no mail cursor is one', () => {
    for (const key of ['gcal:primary', 'graph:calendar', ICS_IMPORT_CURSOR]) expect(isCalendarCursor(key), key).toBe(true);
    for (const key of ['gmail', 'graph-mail', 'graph:inbox', 'mbox', 'gcal']) expect(isCalendarCursor(key), key).toBe(false);
    expect(providerFacts('files').isCalendarCursor('gcal:primary')).toBe(false);
  });

  it('finds a connected account\'s provider from its id, and none for an imported one', () => {
    expect(providerOfAccountId(accountIdFor('google', 'pat@example.com'))).toBe(google);
    expect(providerOfAccountId(accountIdForSubject('microsoft', 'tid/oid'))).toBe(microsoft);
    expect(providerOfAccountId(accountIdFor('files', 'pat@example.com'))).toBeUndefined();
    expect(providerOfAccountId('')).toBeUndefined();
  });

  it('reads each OAuth client from the local configuration, naming the variable to set when it is missing', () => {
    const none = loadConfig({});
    expect(CONNECTED_PROVIDERS.map((p) => p.configured(none))).toStrictEqual([false, false]);
    expect(() => google.credentialsFromConfig(none)).toThrow(ConfigError);
    expect(() => google.credentialsFromConfig(none)).toThrow(/^SINEW_GOOGLE_CLIENT_ID: /);
    expect(() => microsoft.credentialsFromConfig(none)).toThrow(/^SINEW_MS_CLIENT_ID: /);
    const both = loadConfig({ SINEW_GOOGLE_CLIENT_ID: 'g-id', SINEW_MS_CLIENT_ID: 'm-id', SINEW_MS_CLIENT_SECRET: 'm-secret' });
    expect(CONNECTED_PROVIDERS.map((p) => p.configured(both))).toStrictEqual([true, true]);
    expect(google.credentialsFromConfig(both)).toStrictEqual({ clientId: 'g-id' });
    expect(microsoft.credentialsFromConfig(both)).toStrictEqual({ clientId: 'm-id', clientSecret: 'm-secret' });
  });

  it('names, for each provider, a Lambda variable the functions\' environment declares', () => {
    const declared = Object.keys(lambdaEnvSchema.shape);
    for (const p of CONNECTED_PROVIDERS) expect(declared, p.id).toContain(p.secretArnVariable);
    expect(new Set(CONNECTED_PROVIDERS.map((p) => p.secretArnVariable)).size).toBe(CONNECTED_PROVIDERS.length);
  });
});
