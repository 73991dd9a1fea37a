import { tokenContext } from '#lib/connect/accounts.ts';
import type { OAuthClientCredentials, ProviderClient, ProviderEndpoints } from '#lib/providers/registry.ts';
import { msOAuthFor } from './oauth.ts';
import { grantsCalendar } from './scopes.ts';
import { microsoftSources } from './sources.ts';

/**
 * Microsoft's clients from its OAuth app and endpoints: the consent (MSAL resolves the
 * authority first, a network call), and an account's mail and calendar sources. MSAL keeps
 * its refresh token in a serialized cache, sealed on the account; a refresh may rotate it,
 * and the session saves it to the store at once and keeps it on the account, which
 * syncAccount re-reads at every checkpoint.
 */
export async function microsoftClient(credentials: OAuthClientCredentials, endpoints: ProviderEndpoints): Promise<ProviderClient> {
  const ca = endpoints.msCa;
  const oauth = await msOAuthFor(credentials, endpoints);
  return {
    consent: oauth,
    async sources(account, deps) {
      const session = oauth.session({
        vault: deps.vault,
        context: tokenContext(account),
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
