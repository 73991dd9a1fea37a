/**
 * One loopback "Microsoft 365" for end-to-end tests, the counterpart of
 * test/support/google/world.ts: the identity platform, Graph mail and the Graph calendar
 * on one https emulator (server.ts: token check, throttling, faults, request log), the
 * bearer tokens checked against the identity emulator's table, all on one clock. Our
 * MsOAuth (the real MSAL) points at it, trusting the emulator's self-signed certificate.
 */
import type { TokenVault } from '#lib/connect/token-vault.ts';
import { tokenContext } from '#lib/connect/accounts.ts';
import { fetchTrusting } from '#lib/providers/microsoft/graph-client.ts';
import { MsOAuth, type MsTokenSession } from '#lib/providers/microsoft/oauth.ts';
import type { SealedCacheStore } from '#lib/providers/microsoft/token-cache.ts';
import type { Clock } from '#lib/time/clock.ts';
import type { Account, Store } from '#lib/store/types.ts';
import { GraphCalendar } from './graph-calendar.ts';
import { graphMailHandler, type GraphMailOptions } from './graph-mail.ts';
import type { GraphMailbox } from './graph-mailbox.ts';
import { IdentityPlatform } from './identity.ts';
import { startMicrosoftEmulator, type MicrosoftEmulator, type ThrottleLimits } from './server.ts';

export interface MicrosoftWorld {
  emulator: MicrosoftEmulator;
  identity: IdentityPlatform;
  mailbox: GraphMailbox;
  calendar: GraphCalendar;
  /** Our OAuth client (MSAL), pointed at the emulator's authority. */
  oauth: MsOAuth;
  close(): Promise<void>;
}

/** Starts the emulator serving `mailbox` (and `calendar`, empty by default) for `mailbox.address`. */
export async function startMicrosoftWorld(opts: {
  mailbox: GraphMailbox;
  calendar?: GraphCalendar;
  clock: Clock;
  latencyMs?: number;
  throttle?: Partial<ThrottleLimits> | false;
  mail?: GraphMailOptions;
}): Promise<MicrosoftWorld> {
  const identity = new IdentityPlatform({ clock: opts.clock });
  identity.addUser(opts.mailbox.address);
  const calendar = opts.calendar ?? new GraphCalendar();
  const emulator = await startMicrosoftEmulator({
    clock: opts.clock,
    ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
    ...(opts.throttle !== undefined ? { throttle: opts.throttle } : {}),
    authenticate: (token) => identity.validateAccessToken(token)?.mailbox ?? null,
    handlers: [identity.handler, graphMailHandler(opts.mailbox, opts.mail), calendar.handler],
  });
  const oauth = await MsOAuth.create({ clientId: identity.clientId, authority: `${emulator.url}/common`, ca: emulator.ca });
  return { emulator, identity, mailbox: opts.mailbox, calendar, oauth, close: () => emulator.close() };
}

/**
 * Plays the user's browser: follows the consent URL (https, the emulator's certificate)
 * to the loopback callback (plain http on 127.0.0.1).
 */
export async function consentInMsBrowser(world: MicrosoftWorld, url: string): Promise<void> {
  const consent = await fetchTrusting(world.emulator.ca)(url, { redirect: 'manual' });
  const callback = consent.headers.get('location');
  if (!callback) throw new Error(`the Microsoft consent page did not redirect (status ${consent.status})`);
  await fetch(callback);
}

/**
 * Where a connected Microsoft account's sealed MSAL cache lives: the account record's
 * `encryptedToken`, as recordConnectedAccount sealed it. `holder.account` is the object
 * handed to syncAccount, which re-reads `encryptedToken` at each checkpoint, so a cache
 * rotated mid-sync is kept; the rotation is also written to the store at once. lib/pipeline
 * has no such helper yet: this is the shape one would take.
 */
export function accountCacheStore(store: Store, holder: { account: Account }): SealedCacheStore {
  return {
    load: async () => holder.account.encryptedToken,
    save: async (sealed) => {
      holder.account.encryptedToken = sealed;
      const stored = await store.getAccount(holder.account.userId, holder.account.accountId);
      await store.putAccount({ ...(stored ?? holder.account), encryptedToken: sealed });
    },
  };
}

/** A token session for a connected account (./refresh.ts, no MSAL), reading and rotating its sealed MSAL cache. */
export function accountSession(world: MicrosoftWorld, store: Store, vault: TokenVault, holder: { account: Account }): MsTokenSession {
  return world.oauth.session({ vault, context: tokenContext(holder.account), store: accountCacheStore(store, holder) });
}
