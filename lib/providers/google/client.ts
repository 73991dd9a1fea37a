import { tokenContext } from '#lib/connect/accounts.ts';
import type { OAuthClientCredentials, ProviderClient, ProviderEndpoints } from '#lib/providers/registry.ts';
import { googleOAuthFor } from './oauth.ts';
import { grantsCalendar } from './scopes.ts';
import { googleSources } from './sources.ts';

/**
 * Google's sync client from its OAuth app and endpoints: an account's Gmail and Calendar
 * sources, each refreshing its own access token from the account's refresh token, opened
 * from the vault under the account's context (the consent is lib/providers/consents.ts's).
 */
export function googleClient(credentials: OAuthClientCredentials, endpoints: ProviderEndpoints): ProviderClient {
  const oauth = googleOAuthFor(credentials, endpoints);
  return {
    async sources(account, deps) {
      const refreshToken = await deps.vault.open(account.encryptedToken, tokenContext(account));
      return googleSources({
        auth: oauth.clientFor(refreshToken),
        accountId: account.accountId,
        rootUrl: endpoints.googleApiRoot,
        clock: deps.clock,
        calendar: grantsCalendar(account.grantedScopes ?? []),
        // Which listed messages the store already holds: a full resync fetches only the others.
        held: (ids) => deps.store.getItems(account.userId, account.accountId, ids),
      });
    },
  };
}
