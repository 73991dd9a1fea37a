import type { Config } from '#lib/config.ts';
import type { OAuthConsent } from '#lib/connect/consent.ts';
import type { TokenVault } from '#lib/connect/token-vault.ts';
import { ConfigError, InputError } from '#lib/errors.ts';
import type { Account, Provider, Store } from '#lib/store/types.ts';
import type { Clock } from '#lib/time/clock.ts';
import type { ChangeSource } from './types.ts';
import * as googleScopes from '#lib/providers/google/scopes.ts';
import * as microsoftScopes from '#lib/providers/microsoft/scopes.ts';

/**
 * Every provider Sinew knows, each described once: its id, its name on the command line
 * and on pages, what its consent asks, what its grant covers and how a grant ends, and
 * where its OAuth client comes from. The CLI, the pages, the handlers and the report ask
 * here instead of branching on a provider's name.
 *
 * These are facts only: no OAuth library, no API client, so anything (the report worker
 * too) can ask them cheaply. The clients that talk to a provider (consent, refresh, the
 * change sources of an account) are built in ./account-sources.ts.
 */

/** A provider a mailbox is connected to with OAuth (every provider but imported files). */
export type ConnectedProvider = Exclude<Provider, 'files'>;

/** An OAuth app's credentials (Secrets Manager in AWS, the environment locally). */
export interface OAuthClientCredentials {
  clientId: string;
  /** Absent for a public (desktop) client where the provider allows one. */
  clientSecret?: string;
}

/** A provider's consent, plus revocation where the provider offers it (Google does, Microsoft does not). */
export interface ProviderConsent extends OAuthConsent {
  revoke?(token: string): Promise<void>;
}

/** Revokes one refresh token at the provider (Google: `GoogleOAuth.revoke`). */
export interface TokenRevoker {
  revoke(token: string): Promise<void>;
}

/** What a provider's client needs to build one account's sources. */
export interface SourceDeps {
  /** Opens the account's sealed token (under the account's context). */
  vault: TokenVault;
  /** Where a rotated token (Microsoft's token cache) is written back. */
  store: Store;
  clock: Clock;
}

/**
 * A provider's sync client, built from its OAuth app and endpoints (./account-sources.ts
 * builds them). The consent is built apart (./consents.ts), so sync loads no consent
 * library (Microsoft's MSAL) and the connect page no API client.
 */
export interface ProviderClient {
  /** The change sources of one of its accounts, which holds a sealed token. */
  sources(account: Account & { encryptedToken: string }, deps: SourceDeps): Promise<ChangeSource[]>;
}

/** Where the providers are: the real ones by default; emulators, proxies or national clouds by configuration. */
export interface ProviderEndpoints {
  /** Google's consent page. @default Google's (`SINEW_GOOGLE_AUTH_URL`) */
  googleAuthUrl?: string;
  googleTokenUrl: string;
  /** Gmail and Calendar root URL, ending with `/`. */
  googleApiRoot: string;
  /** Microsoft authority (tenant), https. */
  msAuthority: string;
  graphBaseUrl: string;
  /** Extra CA certificates for the Microsoft authority and Graph (an emulator's). */
  msCa?: string | string[];
}

/** What a provider's grant covers, and how Sinew lets go of one. */
export interface GrantFacts {
  /**
   * True when Sinew revokes a grant itself on disconnect (Google); otherwise it deletes
   * the token and the person removes the consent at {@link settingsUrl} (Microsoft: Graph
   * has no call that revokes one app's refresh token without directory-wide permissions).
   */
  revocable: boolean;
  /** Where a person removes Sinew's access by hand. */
  settingsUrl: string;
  /** Where a personal account (rather than a work one) lists its consents, when elsewhere. */
  personalSettingsUrl?: string;
  /** Whether a granted scope list includes reading the calendar (DESIGN section 4, calendar source). */
  coversCalendar(scopes: readonly string[]): boolean;
}

/** What every provider, connected or imported, says about itself. */
export interface ProviderFacts {
  id: Provider;
  /** Its name in sentences: "your Google mailbox", "Connect Microsoft 365", "(imported)". */
  label: string;
  /** How its items arrive: synced from the provider's API, or imported from files. */
  arrival: 'sync' | 'import';
  /** True for a cursor key that belongs to a calendar source: an account holding one has a calendar. */
  isCalendarCursor(key: string): boolean;
}

/** A provider a mailbox is connected to: consent, grant and OAuth client. */
export interface ConnectedProviderFacts extends ProviderFacts {
  id: ConnectedProvider;
  arrival: 'sync';
  /** The argument of `sinew connect` (DESIGN section 6). */
  cliName: string;
  /** Exactly the scopes its consent asks for, as the connect page lists them. */
  connectScopes: readonly string[];
  grant: GrantFacts;
  /** The Lambda variable holding the ARN of the Secrets Manager secret with its OAuth client. */
  secretArnVariable: 'SINEW_GOOGLE_SECRET_ARN' | 'SINEW_MICROSOFT_SECRET_ARN';
  /** True when the local configuration names its OAuth client (`sinew serve` offers it then). */
  configured(config: Config): boolean;
  /** Its OAuth client from the local configuration. @throws ConfigError naming the variable to set */
  credentialsFromConfig(config: Config): OAuthClientCredentials;
}

/**
 * The marker a files account carries once an ics was imported into it (the cursor of the
 * imported calendar: when it was last imported), so an imported calendar with no meeting
 * left in the held history still counts as a calendar.
 */
export const ICS_IMPORT_CURSOR = 'ics';

const google: ConnectedProviderFacts = {
  id: 'google',
  label: 'Google',
  arrival: 'sync',
  cliName: 'gmail',
  connectScopes: googleScopes.GOOGLE_CONNECT_SCOPES,
  grant: {
    revocable: true,
    settingsUrl: 'https://myaccount.google.com/permissions',
    coversCalendar: googleScopes.readsCalendar,
  },
  // google/calendar.ts keys each calendar's cursor `gcal:<calendarId>`.
  isCalendarCursor: (key) => key.startsWith('gcal:'),
  secretArnVariable: 'SINEW_GOOGLE_SECRET_ARN',
  configured: (config) => config.SINEW_GOOGLE_CLIENT_ID !== undefined,
  credentialsFromConfig: (config) => {
    if (!config.SINEW_GOOGLE_CLIENT_ID) {
      throw new ConfigError('SINEW_GOOGLE_CLIENT_ID: set it to the client id of your Google OAuth client (Desktop app)');
    }
    return { clientId: config.SINEW_GOOGLE_CLIENT_ID, ...(config.SINEW_GOOGLE_CLIENT_SECRET ? { clientSecret: config.SINEW_GOOGLE_CLIENT_SECRET } : {}) };
  },
};

const microsoft: ConnectedProviderFacts = {
  id: 'microsoft',
  label: 'Microsoft 365',
  arrival: 'sync',
  cliName: 'microsoft',
  connectScopes: microsoftScopes.MS_CONNECT_SCOPES,
  grant: {
    revocable: false,
    // In My Apps, "Manage your application", then "Revoke consent" (work or school accounts).
    settingsUrl: 'https://myapps.microsoft.com',
    // Personal Microsoft accounts (Outlook.com) list the apps they consented to here instead.
    personalSettingsUrl: 'https://account.live.com/consent/Manage',
    coversCalendar: microsoftScopes.readsCalendar,
  },
  // microsoft/calendar.ts keys its calendar view's cursor `graph:calendar`.
  isCalendarCursor: (key) => key === 'graph:calendar',
  secretArnVariable: 'SINEW_MICROSOFT_SECRET_ARN',
  configured: (config) => config.SINEW_MS_CLIENT_ID !== undefined,
  credentialsFromConfig: (config) => {
    if (!config.SINEW_MS_CLIENT_ID) {
      throw new ConfigError('SINEW_MS_CLIENT_ID: set it to the application (client) id of your Microsoft Entra app registration');
    }
    return { clientId: config.SINEW_MS_CLIENT_ID, ...(config.SINEW_MS_CLIENT_SECRET ? { clientSecret: config.SINEW_MS_CLIENT_SECRET } : {}) };
  },
};

const files: ProviderFacts = {
  id: 'files',
  label: 'imported',
  arrival: 'import',
  isCalendarCursor: (key) => key === ICS_IMPORT_CURSOR,
};

/** The connected providers, in the order the pages offer them. */
export const CONNECTED_PROVIDERS: readonly ConnectedProviderFacts[] = [google, microsoft];

const ALL: Readonly<Record<Provider, ProviderFacts>> = { google, microsoft, files };

/** True for a calendar source's cursor key, whichever provider's (an account holding one has a calendar). */
export function isCalendarCursor(key: string): boolean {
  return Object.values(ALL).some((p) => p.isCalendarCursor(key));
}

/** The facts of any provider an account can have. */
export function providerFacts(id: Provider): ProviderFacts {
  return ALL[id];
}

/** The connected provider `id` names, or undefined (imported files, or a name Sinew does not know). */
export function connectedProvider(id: string): ConnectedProviderFacts | undefined {
  return CONNECTED_PROVIDERS.find((p) => p.id === id);
}

/** The connected provider `sinew connect <name>` names. @throws InputError listing the names it takes */
export function providerForCli(name: string): ConnectedProviderFacts {
  const found = CONNECTED_PROVIDERS.find((p) => p.cliName === name);
  if (!found) {
    throw new InputError(`sinew connect: unknown provider '${name}' (choose ${CONNECTED_PROVIDERS.map((p) => p.cliName).join(' or ')})`);
  }
  return found;
}

/**
 * The connected provider of an account id (lib/connect/identity.ts names a connected
 * account `<provider>-<hash>`), or undefined for any other id.
 */
export function providerOfAccountId(accountId: string): ConnectedProviderFacts | undefined {
  return CONNECTED_PROVIDERS.find((p) => accountId.startsWith(`${p.id}-`));
}
