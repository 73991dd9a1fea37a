import type { ChangeSource } from './types.ts';
import type { Account, Store } from '#lib/store/types.ts';
import type { TokenVault } from '#lib/connect/token-vault.ts';
import type { Clock } from '#lib/time/clock.ts';
import { loadConfig } from '#lib/config.ts';
import { GoogleOAuth, grantsCalendar } from '#lib/providers/google/oauth.ts';
import { googleSources } from '#lib/providers/google/sources.ts';
import { MsOAuth, grantsCalendar as msGrantsCalendar } from '#lib/providers/microsoft/oauth.ts';
import { microsoftSources } from '#lib/providers/microsoft/sources.ts';
import { tokenContext } from '#lib/connect/accounts.ts';
import { InputError, ReconnectRequiredError } from '#lib/errors.ts';

/**
 * How one account's change sources are built from its provider and its sealed token:
 * shared by `sinew sync` (OAuth clients from the environment) and the sync worker (OAuth
 * clients from Secrets Manager). Endpoints come with the clients, so the emulators, a
 * proxy or a national cloud can stand in for the providers.
 */

/** Google's OAuth client for refreshing tokens, and the root URL of the Gmail and Calendar APIs. */
export interface GoogleProvider {
  oauth: GoogleOAuth;
  /** `https://www.googleapis.com/` or an emulator's root, ending with `/`. */
  apiRoot: string;
}

/** Microsoft's MSAL client, and the Graph base URL. */
export interface MicrosoftProvider {
  oauth: MsOAuth;
  /** `https://graph.microsoft.com/v1.0` or an emulator's. */
  graphBaseUrl: string;
  /** Extra CA certificates for Graph (an emulator's self-signed one). */
  ca?: string | string[];
}

/**
 * The providers' clients, built on first use: a worker that only syncs Gmail never
 * resolves Microsoft's authority (a network call).
 */
export interface ProviderClients {
  google(): Promise<GoogleProvider>;
  microsoft(): Promise<MicrosoftProvider>;
}

export interface AccountSourcesDeps {
  providers: ProviderClients;
  vault: TokenVault;
  /** Where a rotated Microsoft token cache is written back. */
  store: Store;
  clock: Clock;
}

/**
 * The change sources of one connected mailbox, with its token opened from the vault
 * under the account's context (a token sealed for another account cannot be opened).
 * A Microsoft refresh may rotate the sealed token cache: it is saved to the store at
 * once and kept on `account`, which syncAccount re-reads at every checkpoint.
 *
 * @throws ReconnectRequiredError when the account holds no token (connect it again).
 * @throws InputError for a `files` account, which has nothing to sync from.
 */
export async function accountSources(account: Account, deps: AccountSourcesDeps): Promise<ChangeSource[]> {
  if (account.provider === 'files') {
    throw new InputError(`account ${account.accountId} was imported from files; it has no provider to sync from`);
  }
  if (!account.encryptedToken) {
    throw new ReconnectRequiredError(`account ${account.accountId} holds no token; its owner must connect it again`);
  }
  const context = tokenContext(account);
  const granted = account.grantedScopes ?? [];
  if (account.provider === 'google') {
    const google = await deps.providers.google();
    const refreshToken = await deps.vault.open(account.encryptedToken, context);
    return googleSources({
      auth: google.oauth.clientFor(refreshToken),
      accountId: account.accountId,
      rootUrl: google.apiRoot,
      clock: deps.clock,
      calendar: grantsCalendar(granted),
      held: (ids) => deps.store.getItems(account.userId, account.accountId, ids),
    });
  }
  // MSAL keeps its refresh token in a serialized cache, sealed on the account; a refresh
  // may rotate it, and the session writes it back.
  const microsoft = await deps.providers.microsoft();
  const session = microsoft.oauth.session({
    vault: deps.vault,
    context,
    store: {
      load: async () => account.encryptedToken,
      save: async (sealed) => {
        account.encryptedToken = sealed;
        // Only onto an account that still exists: a disconnect meanwhile must stay deleted.
        await deps.store.updateAccount(account.userId, account.accountId, { set: { encryptedToken: sealed } });
      },
    },
  });
  return microsoftSources({
    graphBaseUrl: microsoft.graphBaseUrl,
    getAccessToken: (o) => session.accessToken(o),
    accountId: account.accountId,
    clock: deps.clock,
    calendar: msGrantsCalendar(granted),
    ...(microsoft.ca !== undefined ? { ca: microsoft.ca } : {}),
  });
}

/** Where the providers are: the real ones by default; emulators, proxies or national clouds by configuration. */
export interface ProviderEndpoints {
  googleTokenUrl: string;
  /** Gmail and Calendar root URL, ending with `/`. */
  googleApiRoot: string;
  /** Microsoft authority (tenant), https. */
  msAuthority: string;
  graphBaseUrl: string;
  /** Extra CA certificates for the Microsoft authority and Graph (an emulator's). */
  msCa?: string | string[];
}

/**
 * The endpoints from the environment, with lib/config.ts's defaults (the real providers):
 * `SINEW_GOOGLE_TOKEN_URL`, `SINEW_GOOGLE_API_ROOT`, `SINEW_MS_AUTHORITY`, `SINEW_GRAPH_BASE_URL`.
 */
export function providerEndpointsFromEnv(env: Record<string, string | undefined> = process.env): ProviderEndpoints {
  // Only these: another SINEW_* variable the Lambda carries must not stop the worker.
  const keys = ['SINEW_GOOGLE_TOKEN_URL', 'SINEW_GOOGLE_API_ROOT', 'SINEW_MS_AUTHORITY', 'SINEW_GRAPH_BASE_URL'] as const;
  const config = loadConfig(Object.fromEntries(keys.map((k) => [k, env[k]])));
  return {
    googleTokenUrl: config.SINEW_GOOGLE_TOKEN_URL,
    googleApiRoot: config.SINEW_GOOGLE_API_ROOT,
    msAuthority: config.SINEW_MS_AUTHORITY,
    graphBaseUrl: config.SINEW_GRAPH_BASE_URL,
  };
}

/**
 * Provider clients from an OAuth app's credentials (Secrets Manager in AWS) and the
 * endpoints, each built on first use and then kept.
 */
export function providerClients(
  credentials: (provider: 'google' | 'microsoft') => Promise<{ clientId: string; clientSecret: string }>,
  endpoints: ProviderEndpoints,
): ProviderClients {
  return {
    google: once(async () => {
      const { clientId, clientSecret } = await credentials('google');
      return { oauth: new GoogleOAuth({ clientId, clientSecret, tokenUrl: endpoints.googleTokenUrl }), apiRoot: endpoints.googleApiRoot };
    }),
    microsoft: once(async () => {
      const { clientId, clientSecret } = await credentials('microsoft');
      const ca = endpoints.msCa;
      const oauth = await MsOAuth.create({ clientId, clientSecret, authority: endpoints.msAuthority, ...(ca !== undefined ? { ca } : {}) });
      return { oauth, graphBaseUrl: endpoints.graphBaseUrl, ...(ca !== undefined ? { ca } : {}) };
    }),
  };
}

/** Memoizes a provider factory, so a warm worker builds each client once; a failure is not kept. */
export function once<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}
