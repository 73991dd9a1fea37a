import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import type { TokenVault } from '#lib/connect/token-vault.ts';
import { ReconnectRequiredError } from '#lib/errors.ts';

/**
 * Where an account's sealed MSAL token cache lives (the account's `encryptedToken` in the
 * store). `load` answers undefined when nothing is stored.
 */
export interface SealedCacheStore {
  load(): Promise<string | undefined>;
  save(sealed: string): Promise<void>;
}

/**
 * MSAL keeps the refresh token inside its token cache and never hands it out, so Sinew
 * persists the whole serialized cache instead, sealed by the TokenVault under the
 * account's context (the same sealing, and so the same `encryptedToken` format, as
 * `recordConnectedAccount` applies to `ConnectedGrant.refreshToken`). Before each MSAL
 * access the plugin opens and loads the stored cache; after an access that changed it (a
 * refresh rotates the refresh token) it seals and saves it again, so a rotated token is
 * never lost between runs.
 */
export class SealedTokenCache implements ICachePlugin {
  constructor(
    private readonly vault: TokenVault,
    private readonly context: Record<string, string>,
    private readonly store: SealedCacheStore,
  ) {}

  async beforeCacheAccess(ctx: TokenCacheContext): Promise<void> {
    const sealed = await this.store.load();
    if (sealed === undefined) {
      throw new ReconnectRequiredError('no Microsoft token is stored for this account; connect it again');
    }
    ctx.tokenCache.deserialize(await this.vault.open(sealed, this.context));
  }

  async afterCacheAccess(ctx: TokenCacheContext): Promise<void> {
    if (!ctx.cacheHasChanged) return;
    await this.store.save(await this.vault.seal(ctx.tokenCache.serialize(), this.context));
  }
}

/** True when a serialized MSAL cache holds at least one refresh token. */
export function cacheHasRefreshToken(serialized: string): boolean {
  try {
    const parsed = JSON.parse(serialized) as { RefreshToken?: Record<string, unknown> };
    return Object.keys(parsed.RefreshToken ?? {}).length > 0;
  } catch {
    return false;
  }
}
