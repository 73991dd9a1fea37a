import { randomBytes } from 'node:crypto';
import type { ConnectedGrant } from '#lib/connect/consent.ts';
import { ConsentError, InvalidStateError, type StateFailure } from '#lib/connect/errors.ts';
import { derivePkce } from '#lib/connect/pkce.ts';
import { admits, signUpRule } from '#lib/connect/sign-up.ts';
import { createState, DEFAULT_STATE_TTL_MS, verifyState, type OAuthState } from '#lib/connect/state.ts';
import type { TokenVault } from '#lib/connect/token-vault.ts';
import { InputError } from '#lib/errors.ts';
import { checkTimeZone } from '#lib/time/zones.ts';
import { signLink } from '#lib/links/token.ts';
import { identityOf, isSameMailbox, recordConnectedAccount, type MailboxIdentity, type RecordedAccount } from '#lib/connect/accounts.ts';
import { userIdFor } from '#lib/connect/identity.ts';
import { sendJoinNotices } from '#lib/mail/join-notice.ts';
import type { JobQueue, SyncJob } from '#lib/queue/jobs.ts';
import type { Mailer } from '#lib/mail/mailer.ts';
import type { Store } from '#lib/store/types.ts';
import { CONNECTED_PROVIDERS, connectedProvider, type ProviderConsent } from '#lib/providers/registry.ts';
import { connectPage, messagePage, providerLabel, successPage, type ConnectProvider } from './connect-pages.ts';
import { checkPersonLink, JOIN_TTL_MS, mintJoin, personLinkToken, personLinkView, sameText } from './connect-person.ts';
import { htmlResponse, redirectResponse, type WebRequest, type WebResponse } from './http.ts';
import type { WebApp } from './router.ts';

export type { ConnectProvider } from './connect-pages.ts';
export type { ProviderConsent } from '#lib/providers/registry.ts';
export { JOIN_COOKIE } from './connect-person.ts';

export interface ConnectAppDeps {
  store: Store;
  vault: TokenVault;
  syncQueue: JobQueue<SyncJob>;
  /** Key of the signed state, the derived PKCE verifiers and the signed links (32+ bytes). */
  secret: () => Promise<Uint8Array>;
  /** The configured providers; a missing one has no button and its paths answer 404. */
  providers: Partial<Record<ConnectProvider, () => Promise<ProviderConsent>>>;
  /**
   * Who may sign up as a new person: domains (`example.com`), or `['*']` for anyone; empty
   * admits nobody new (lib/connect/sign-up.ts). A bad entry throws ConfigError at once.
   */
  allowedDomains: readonly string[];
  now: () => Date;
  /** Public base URL for redirect URIs; default the request's origin. */
  baseUrl?: string;
  /** Local hour of the Monday report, as the success page states it. @default 7 */
  reportHour?: number;
  /** How long a connect attempt may take. @default 10 minutes */
  stateTtlMs?: number;
  /** Told of each mailbox connected (ids only): the handler logs it and counts a metric. */
  onConnected?: (event: ConnectedEvent) => void;
  /**
   * Sends the emails that announce a join to both addresses (lib/mail/join-notice.ts);
   * without it a join is still stored, and the log says no notice went out.
   */
  mail?: { mailer: Mailer; sender: string };
  /** Events worth a log line (ids and counts only, never an address). */
  log?: ConnectLog;
}

/** The slice of a structured logger the app uses (Powertools' Logger fits). */
export interface ConnectLog {
  info(message: string, attributes: Record<string, string | number | boolean>): void;
  warn(message: string, attributes: Record<string, string | number | boolean>): void;
}

export interface ConnectedEvent {
  provider: ConnectProvider;
  userId: string;
  accountId: string;
  /** A second mailbox joining an existing person. */
  joined: boolean;
}

/** The cookie that binds a connect attempt to the browser that started it. */
export function nonceCookieName(provider: ConnectProvider): string {
  // __Host-: Secure, Path=/ and no Domain are enforced by the browser, so no subdomain can plant it.
  return `__Host-sinew-connect-${provider}`;
}

const COOKIE_ATTRIBUTES = 'Path=/; Secure; HttpOnly; SameSite=Lax';
const PROVIDERS: readonly ConnectProvider[] = CONNECTED_PROVIDERS.map((p) => p.id);

/**
 * The connect flow as a web app (DESIGN section 1, Connect and "Who is who"):
 * - `GET /`: the connect page, one button per configured provider;
 * - `GET /connect/{provider}`: starts the authorization-code flow with PKCE and a signed,
 *   expiring state whose nonce is bound to this browser by a cookie (login CSRF), the
 *   verifier derived from the secret and the nonce so the callback keeps no session; an
 *   optional signed `join` link (with this browser's join cookie) adds the mailbox to an
 *   existing person, a `reconnect` link renews one of their mailboxes (connect-person.ts);
 * - `GET /oauth/{provider}/callback`: checks state and cookie, trades the code, applies
 *   the sign-up domains to a new person, refuses a reconnect as another mailbox, stores
 *   the account with its token sealed, enqueues the first sync, tells both addresses of a
 *   join, and shows what happens next with a fresh join for this browser.
 */
export function createConnectApp(deps: ConnectAppDeps): WebApp {
  const signUp = signUpRule(deps.allowedDomains);
  const configured = PROVIDERS.filter((p) => deps.providers[p] !== undefined);
  const ttlMs = deps.stateTtlMs ?? DEFAULT_STATE_TTL_MS;

  const home = async (req: WebRequest): Promise<WebResponse> => {
    const token = personLinkToken(req);
    if (token === undefined) return htmlResponse(200, connectPage({ providers: configured }));
    const link = await checkPersonLink(deps, req, token);
    if ('refusal' in link) return link.refusal;
    return htmlResponse(200, connectPage({ providers: configured, link: personLinkView(link) }));
  };

  const start = async (req: WebRequest, provider: ConnectProvider, consentOf: () => Promise<ProviderConsent>): Promise<WebResponse> => {
    const data: Record<string, string> = {};
    let loginHint: string | undefined;
    const token = personLinkToken(req);
    if (token !== undefined) {
      const link = await checkPersonLink(deps, req, token);
      if ('refusal' in link) return link.refusal;
      if (link.kind === 'join') {
        data.j = link.user.userId;
      } else {
        data.r = link.user.userId;
        if (link.account) {
          data.a = link.account.accountId;
          loginHint = link.account.address;
        }
      }
    }
    const tz = zoneOrUndefined(req.query.tz);
    if (tz !== undefined) data.tz = tz;
    const secret = await deps.secret();
    const nonce = randomBytes(16).toString('base64url');
    const state = createState(secret, { provider, now: deps.now().getTime(), ttlMs, data, nonce });
    const consent = await consentOf();
    const url = consent.authorizationUrl({
      state,
      codeChallenge: derivePkce(secret, nonce).challenge,
      redirectUri: redirectUri(deps, req, provider),
      ...(loginHint ? { loginHint } : {}),
    });
    const cookie = `${nonceCookieName(provider)}=${nonce}; Max-Age=${Math.ceil(ttlMs / 1000)}; ${COOKIE_ATTRIBUTES}`;
    return redirectResponse(url, [cookie]);
  };

  const callback = async (req: WebRequest, provider: ConnectProvider, consentOf: () => Promise<ProviderConsent>): Promise<WebResponse> => {
    const name = providerLabel(provider);
    const clear = [`${nonceCookieName(provider)}=; Max-Age=0; ${COOKIE_ATTRIBUTES}`];
    const refuse = (status: number, reason: string, next?: string, cookies?: string[]): WebResponse =>
      htmlResponse(status, messagePage({ title: `Sinew could not connect your ${name} mailbox`, reason, ...(next ? { next } : {}) }), cookies ? { cookies } : {});

    const error = req.query.error;
    if (error === 'access_denied') {
      return htmlResponse(
        200,
        messagePage({
          title: 'No mailbox connected',
          reason: `You declined on ${name}'s page, so nothing was stored and Sinew has no access to your mailbox.`,
          next: 'If you change your mind, start again; you can review the exact permissions first.',
        }),
        { cookies: clear },
      );
    }
    if (error !== undefined) {
      const detail = req.query.error_description ? ` (${req.query.error_description})` : '';
      return refuse(400, `${name} did not complete the sign-in: ${error}${detail}. Nothing was stored.`, 'Start again; if it keeps happening, tell your administrator.', clear);
    }

    const secret = await deps.secret();
    const now = deps.now();
    let state: OAuthState;
    try {
      state = verifyState(secret, req.query.state, { provider, now: now.getTime() });
    } catch (err) {
      if (!(err instanceof InvalidStateError)) throw err;
      return refuse(400, stateRefusal(err.reason, name, Math.round(ttlMs / 60_000)), 'Nothing was stored. Start connecting again from the connect page.');
    }
    const cookie = req.cookies[nonceCookieName(provider)];
    if (!cookie) {
      return refuse(
        400,
        'This browser did not start this connect attempt: its connect cookie is missing or expired. Sinew refuses such answers so nobody can attach their mailbox to your browser.',
        'Nothing was stored. Start again in this browser, with cookies allowed.',
      );
    }
    if (!sameText(cookie, state.nonce)) {
      return refuse(
        400,
        'This answer belongs to another connect attempt than the one this browser started (perhaps one in another tab).',
        'Nothing was stored. Start again, one mailbox at a time.',
      );
    }
    const code = req.query.code;
    if (!code) return refuse(400, `${name} sent no authorization code back.`, 'Nothing was stored. Start again.', clear);

    const consent = await consentOf();
    let grant: ConnectedGrant;
    try {
      grant = await consent.exchangeCode({ code, codeVerifier: derivePkce(secret, state.nonce).verifier, redirectUri: redirectUri(deps, req, provider) });
    } catch (err) {
      if (!(err instanceof ConsentError)) throw err;
      return refuse(400, err.message, 'Nothing was stored.', clear);
    }

    let identity: MailboxIdentity;
    try {
      identity = identityOf(provider, grant);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      await discard(consent, grant);
      return refuse(400, err.message, 'Nothing was stored.', clear);
    }
    const dropped = `the access you just granted was ${consent.revoke ? 'revoked' : `dropped (${name} offers no way for Sinew to withdraw it: remove Sinew at ${connectedProvider(provider)!.grant.settingsUrl})`}`;
    const personId = state.data.j ?? state.data.r;
    // The person may have disconnected since the link was made.
    if (personId !== undefined && !(await deps.store.getUser(personId))) {
      await discard(consent, grant);
      return refuse(400, 'The person this link was made for is no longer in Sinew.', 'Nothing was stored. Connect your first mailbox again from the connect page.', clear);
    }

    let recorded: RecordedAccount;
    const record = (extra: { joinUserId?: string; accountId?: string }): Promise<RecordedAccount> =>
      recordConnectedAccount(deps.store, deps.vault, { provider, grant, now, timeZone: state.data.tz ?? 'UTC', ...extra });
    if (state.data.j !== undefined) {
      // A join: the link and this browser's join cookie were checked when it started.
      recorded = await record({ joinUserId: state.data.j });
    } else if (state.data.r !== undefined) {
      // A reconnect renews a mailbox the person already has, never adds one.
      const named = state.data.a === undefined ? undefined : await deps.store.getAccount(state.data.r, state.data.a);
      const candidates = named ? [named] : state.data.a === undefined ? (await deps.store.listAccounts(state.data.r)).filter((a) => a.provider === provider) : [];
      const match = candidates.find((a) => isSameMailbox(a, identity));
      if (!match) {
        await discard(consent, grant);
        return refuse(
          400,
          `This link reconnects ${named ? named.address : 'a mailbox of these reports'}, but you signed in as ${identity.address}.`,
          `Nothing was stored, and ${dropped}. Sign in as ${named ? named.address : 'that mailbox'} (pick it in ${name}'s account chooser); to add another mailbox, use "Connect another mailbox" after signing in.`,
          clear,
        );
      }
      recorded = await record({ joinUserId: state.data.r, accountId: match.accountId });
    } else {
      if (!admits(signUp, identity.address) && !(await deps.store.getUser(userIdFor(identity.address)))) {
        // The rule admits people, not mailboxes: a person already admitted (signing in
        // again, or a second mailbox joining through a signed link) is not asked again.
        await discard(consent, grant);
        return htmlResponse(
          403,
          signUp.kind === 'domains'
            ? messagePage({
                title: 'This address cannot sign up here',
                reason: `This Sinew admits new people with an address at ${signUp.domains.join(', ')} only; ${identity.address} is not one of them.`,
                next: `Nothing was stored, and ${dropped}. Connect a mailbox at an allowed domain first; your other mailboxes can join it afterwards.`,
              })
            : messagePage({
                title: 'Sign-up is not open',
                reason: 'The administrator of this Sinew has not opened sign-up yet, so nobody new can connect a mailbox.',
                next: `Nothing was stored, and ${dropped}. Ask your administrator to open sign-up for your email domain.`,
              }),
          { cookies: clear },
        );
      }
      recorded = await record({});
    }
    const { user, account, joined } = recorded;
    await deps.syncQueue.send([{ v: 1, userId: account.userId, accountId: account.accountId, reason: 'connected', slot: now.toISOString() }]);
    deps.onConnected?.({ provider, userId: account.userId, accountId: account.accountId, joined });
    const notified = joined ? await notifyJoin(deps, req, secret, recorded) : false;

    const at = { now: now.getTime() };
    const join = mintJoin(secret, user, at.now);
    const body = successPage({
      provider,
      address: account.address,
      reportAddress: user.email,
      ...(joined ? { joined: { reportAddress: user.email, notified } } : {}),
      timeZone: user.timeZone,
      timeZoneAction: `/l/${signLink(secret, { action: 'timezone', userId: user.userId }, at)}`,
      another: [provider, ...configured.filter((p) => p !== provider)].map((p) => ({ provider: p, href: `/connect/${p}?join=${encodeURIComponent(join.token)}` })),
      anotherMinutes: Math.round(JOIN_TTL_MS / 60_000),
      reportHour: deps.reportHour ?? 7,
    });
    return htmlResponse(200, body, { cookies: [...clear, join.cookie] });
  };

  return async (req) => {
    const route = /^\/(connect|oauth)\/([^/]+)(\/callback)?\/?$/.exec(req.path);
    const isStart = route?.[1] === 'connect' && route[3] === undefined;
    const isCallback = route?.[1] === 'oauth' && route[3] !== undefined;
    if (req.path !== '/' && !isStart && !isCallback) {
      return htmlResponse(404, messagePage({ title: 'Page not found', reason: 'There is no page at this address.' }));
    }
    if (req.method !== 'GET') {
      return htmlResponse(405, messagePage({ title: 'Method not allowed', reason: `This page answers GET, not ${req.method}.` }), { headers: { allow: 'GET' } });
    }
    if (req.path === '/') return home(req);
    const named = route![2]!;
    if (!(PROVIDERS as readonly string[]).includes(named)) {
      return htmlResponse(404, messagePage({ title: 'Unknown provider', reason: `Sinew connects ${CONNECTED_PROVIDERS.map((p) => p.label).join(' and ')} mailboxes; '${named}' is not one of them.` }));
    }
    const provider = named as ConnectProvider;
    const consentOf = deps.providers[provider];
    if (!consentOf) {
      return htmlResponse(
        404,
        messagePage({ title: `${providerLabel(provider)} is not set up here`, reason: `The administrator of this Sinew has not configured ${providerLabel(provider)} sign-in.`, next: configured.length > 0 ? 'Connect with another provider from the connect page.' : 'Ask your administrator.' }),
      );
    }
    return isStart ? start(req, provider, consentOf) : callback(req, provider, consentOf);
  };
}

/** The browser's zone, kept only when it is one `Intl` knows; a bad one is ignored (the success page asks). */
function zoneOrUndefined(given: string | undefined): string | undefined {
  if (given === undefined) return undefined;
  try {
    return checkTimeZone(given);
  } catch {
    return undefined;
  }
}

function redirectUri(deps: ConnectAppDeps, req: WebRequest, provider: ConnectProvider): string {
  return `${(deps.baseUrl ?? req.origin).replace(/\/+$/, '')}/oauth/${provider}/callback`;
}

function stateRefusal(reason: StateFailure, name: string, minutes: number): string {
  switch (reason) {
    case 'malformed':
      return `The answer from ${name} carries no state that Sinew issued, so it cannot be matched to a connect attempt.`;
    case 'signature':
      return `The state in the answer from ${name} was altered: its signature does not match, so Sinew refused it.`;
    case 'expired':
      return `This connect attempt expired: signing in must be finished within ${minutes} minutes of starting.`;
    case 'provider':
      return `This answer came back for another provider's sign-in, not ${name}'s.`;
    case 'unexpected':
      return 'This answer belongs to another connect attempt.';
  }
}

/** Drops a grant Sinew will not keep, revoking it where the provider can (best effort). */
async function discard(consent: ProviderConsent, grant: ConnectedGrant): Promise<void> {
  if (consent.revoke) await consent.revoke(grant.refreshToken).catch(() => undefined);
}

/**
 * Tells both addresses of a join, with a link to undo it. A failure to send is logged
 * (ids and the error class only) and does not undo the join: the person sees the success
 * page either way, and the page says whether the emails went out.
 */
async function notifyJoin(deps: ConnectAppDeps, req: WebRequest, secret: Uint8Array, recorded: RecordedAccount): Promise<boolean> {
  const ids = { userId: recorded.user.userId, accountId: recorded.account.accountId };
  if (!deps.mail) {
    deps.log?.warn('join notices skipped: no mailer configured', ids);
    return false;
  }
  try {
    const sent = await sendJoinNotices({ ...deps.mail, baseUrl: deps.baseUrl ?? req.origin, secret, now: deps.now }, recorded.user, recorded.account);
    deps.log?.info('join notices sent', { ...ids, sent });
    return true;
  } catch (err) {
    deps.log?.warn('join notices not sent', { ...ids, errorName: err instanceof Error ? err.name : 'Error' });
    return false;
  }
}
