import { tokenContext } from '#lib/connect/accounts.ts';
import type { OAuthClientCredentials, ProviderClient, ProviderEndpoints } from '#lib/providers/registry.ts';
import { msRefreshFor } from './refresh.ts';
import { grantsCalendar } from './scopes.ts';
import { microsoftSources } from './sources.ts';

/**
 * Microsoft's sync client from its OAuth app and endpoints: an account's mail and
 * calendar sources, their access tokens refreshed without MSAL (./refresh.ts; the consent
 * is ./oauth.ts, built by lib/providers/consents.ts). The refresh token lives in MSAL's
 * serialized cache, sealed on the account; a refresh rotates it, and the session saves it
 * to the store at once and keeps it on the account, which syncAccount re-reads at every
 * checkpoint.
 * @throws ConfigError for a missing client id or a bad authority.
 */
export function microsoftClient(credentials: OAuthClientCredentials, endpoints: ProviderEndpoints): ProviderClient {
  const ca = endpoints.msCa;
  const refresh = msRefreshFor(credentials, endpoints);
  return {
    async sources(account, deps) {
      const session = refresh.session({
        vault: deps.vault,
        context: tokenContext(account),
        clock: deps.clock,
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
        graphBaseUrl: endpoints.graphBaseUrl,
        getAccessToken: (o) => session.accessToken(o),
        accountId: account.accountId,
        clock: deps.clock,
        calendar: grantsCalendar(account.grantedScopes ?? []),
        ...(ca !== undefined ? { ca } : {}),
      });
    },
  };
}
