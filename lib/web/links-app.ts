import { InputError, ProviderUnavailableError } from '#lib/errors.ts';
import { providerOfAccountId } from '#lib/providers/registry.ts';
import { applyLinkAction, UserGoneError, type LinkActionDeps, type LinkOutcome } from '#lib/links/actions.ts';
import { timeZoneNames } from '#lib/time/zones.ts';
import { InvalidLinkError, linkUrl, signLink, verifyLink, type LinkClaims } from '#lib/links/token.ts';
import { confirmPage, isTeamLinkAction, problemPage, resultPage, type ResultLinks } from './links-pages.ts';
import { htmlResponse, parseForm, redirectResponse, SECURITY_HEADERS, type WebRequest, type WebResponse } from './http.ts';
import { answerNotesLink, sameOrigin } from './notes-app.ts';
import { answerWhoKnowsLink } from './who-knows-app.ts';

/**
 * The signed links of the weekly email and the connect flow (`GET`/`POST /l/{token}`).
 *
 * - `GET` verifies the token and shows a confirmation page with one POST button; it
 *   never changes anything, because mail scanners prefetch every link of an email.
 * - `POST` applies the action and shows the result with its way back (undo, resume).
 * - RFC 8058 one-click: a `POST` whose body is `List-Unsubscribe=One-Click` to an
 *   `unsubscribe` token applies it and answers 200 with a short text.
 * - `join` and `reconnect` belong to the connect page: they are redirected there with the
 *   token in {@link CONNECT_LINK_PARAM}, which the connect page verifies again (a join
 *   only with the cookie of the browser that signed in, lib/web/connect-person.ts).
 * - `detach`, the undo in the emails that announce a join, confirms on GET and detaches
 *   that one mailbox on POST (lib/links/detach.ts).
 * - `notes` opens the notes page of one contact: GET shows, POST adds, edits or deletes
 *   (lib/web/notes-app.ts, with its own cross-site checks).
 * - The team view's links (DESIGN section 10): `stop-sharing`, `share-again`, `private`
 *   and the undo of `private` confirm on GET and act on POST like the others, and a POST
 *   must come from a page of this origin (fetch metadata, else Origin; their pages send
 *   it); `who-knows` opens the who-knows page (lib/web/who-knows-app.ts, GET only).
 */

/** The query parameter that carries a join or reconnect token to the connect page. */
export const CONNECT_LINK_PARAM = 'link';

/** The slice of a structured logger the app uses (Powertools' Logger fits). */
export interface LinksLog {
  info(message: string, attributes: Record<string, string | number | boolean>): void;
  warn(message: string, attributes: Record<string, string | number | boolean>): void;
}

export interface LinksAppDeps extends LinkActionDeps {
  /** The key links are signed with (at least 32 bytes). */
  linkSecret: () => Promise<Uint8Array>;
  /** Public base URL for the links the pages carry; default the request's origin. */
  baseUrl?: string;
  /** The deployment's team view is on (CDK context `team=on`): the who-knows page answers. */
  team?: boolean;
  log?: LinksLog;
}

const LINK_PATH = /^\/l\/([^/]+)\/?$/;

/** The links app: a function from a web request to a web response (no AWS types). */
export function createLinksApp(deps: LinksAppDeps): (request: WebRequest) => Promise<WebResponse> {
  return async (request) => {
    const match = LINK_PATH.exec(request.path);
    if (!match) return htmlResponse(404, problemPage('Not found', 'There is no page at this address.'));
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    if (method !== 'GET' && method !== 'POST') {
      return htmlResponse(405, problemPage('Method not allowed', `${request.method} is not allowed here.`), { headers: { allow: 'GET, HEAD, POST' } });
    }
    const token = match[1]!;
    const secret = await deps.linkSecret();
    const now = deps.now();
    let claims: LinkClaims;
    try {
      claims = verifyLink(secret, token, now.getTime());
    } catch (err) {
      if (!(err instanceof InvalidLinkError)) throw err;
      deps.log?.warn('link refused', { reason: err.reason, method });
      return htmlResponse(400, problemPage('This link does not work', `Nothing was changed: ${err.message}.`));
    }
    const base = deps.baseUrl ?? request.origin;
    if (claims.action === 'join' || claims.action === 'reconnect') {
      const redirect = redirectResponse(connectUrl(base, claims, token));
      // 303 turns a POST into the GET the connect page expects.
      return method === 'POST' ? { ...redirect, status: 303 } : redirect;
    }
    if (claims.action === 'notes') {
      const response = await answerNotesLink(deps, { ...request, method }, claims, { token, base, secret });
      return request.method === 'HEAD' ? { ...response, body: '' } : response;
    }
    if (claims.action === 'who-knows') {
      const response = await answerWhoKnowsLink(deps, { ...request, method }, claims, { token, base, secret });
      return request.method === 'HEAD' ? { ...response, body: '' } : response;
    }
    const team = isTeamLink(claims);
    if (team && method === 'POST' && !sameOrigin(request, [request.origin, base])) {
      deps.log?.warn('link refused', { reason: 'cross-site', method, action: claims.action });
      return htmlResponse(403, problemPage('Not sent from this page', 'Nothing was changed: confirm on the page the link in your email opens.'));
    }
    const answered = method === 'GET' ? await confirm(deps, claims, linkUrl(base, token)) : await apply(deps, request, claims, base, secret);
    // Their pages send their origin with their forms (no-referrer would make it "null").
    const response = team ? { ...answered, headers: { ...answered.headers, 'referrer-policy': 'same-origin' } } : answered;
    return request.method === 'HEAD' ? { ...response, body: '' } : response;
  };
}

/** The confirmation page; reads the profile only to show the current state. */
async function confirm(deps: LinksAppDeps, claims: LinkClaims, postUrl: string): Promise<WebResponse> {
  const user = await deps.store.getUser(claims.userId);
  if (!user && claims.action !== 'disconnect') return gone();
  const timeZones = claims.action === 'timezone' ? timeZoneNames() : undefined;
  let mailbox: { address: string } | undefined;
  if (claims.action === 'detach') {
    const account = claims.accountId ? await deps.store.getAccount(claims.userId, claims.accountId) : undefined;
    if (!account) return htmlResponse(200, problemPage('Nothing to detach', 'This mailbox is no longer part of those reports: it was already detached or disconnected.'));
    mailbox = { address: account.address };
  }
  const { html, scriptNonce } = confirmPage({ claims, user, postUrl, ...(timeZones ? { timeZones } : {}), ...(mailbox ? { mailbox } : {}) });
  return htmlResponse(200, { html, ...(scriptNonce ? { scriptNonce } : {}) });
}

async function apply(deps: LinksAppDeps, request: WebRequest, claims: LinkClaims, base: string, secret: Uint8Array): Promise<WebResponse> {
  const oneClick = isOneClick(request);
  if (oneClick && claims.action !== 'unsubscribe') {
    return htmlResponse(400, problemPage('Not an unsubscribe link', `One-click unsubscribe does not apply to a ${claims.action} link; nothing was changed.`));
  }
  const form = isMultipart(request) ? {} : parseForm(request.body);
  let outcome: LinkOutcome;
  try {
    outcome = await applyLinkAction(claims, deps, form.timeZone === undefined ? {} : { timeZone: form.timeZone });
  } catch (err) {
    if (err instanceof UserGoneError) return oneClick ? oneClickResponse('No reports are sent to this address.') : gone();
    if (err instanceof ProviderUnavailableError) {
      deps.log?.warn('link not applied: provider unavailable', { action: claims.action, userId: claims.userId, status: err.status ?? 0 });
      return htmlResponse(503, problemPage('Please try again in a few minutes', `Nothing was deleted yet: ${err.message}.`), { headers: { 'retry-after': '120' } });
    }
    if (err instanceof InputError) return htmlResponse(400, problemPage('That did not work', `Nothing was changed: ${err.message}.`));
    throw err;
  }
  deps.log?.info('link applied', { action: claims.action, userId: claims.userId, changed: outcome.changed, oneClick });
  if (oneClick) return oneClickResponse('Unsubscribed: no more weekly reports.');
  const user = outcome.action === 'disconnect' || outcome.action === 'detach' ? undefined : await deps.store.getUser(claims.userId);
  const { html } = resultPage(outcome, user?.timeZone ?? 'UTC', wayBack(outcome, claims, base, secret, deps.now().getTime()));
  return htmlResponse(200, html);
}

/** Undo for an answer, resume for a pause, briefs on for briefs off: signed now, so the way back is as fresh as the page. */
function wayBack(outcome: LinkOutcome, claims: LinkClaims, base: string, secret: Uint8Array, now: number): ResultLinks {
  if (outcome.action === 'fine' || outcome.action === 'snooze' || outcome.action === 'mute') {
    return { undo: linkUrl(base, signLink(secret, { action: 'undo', userId: claims.userId, contact: outcome.contact }, { now })) };
  }
  if (outcome.action === 'pause' || outcome.action === 'unsubscribe') {
    return { resume: linkUrl(base, signLink(secret, { action: 'resume', userId: claims.userId }, { now })) };
  }
  if (outcome.action === 'briefs-off') {
    return { briefsOn: linkUrl(base, signLink(secret, { action: 'briefs-on', userId: claims.userId }, { now })) };
  }
  if (outcome.action === 'private') {
    return { undo: linkUrl(base, signLink(secret, { action: 'undo', userId: claims.userId, contact: outcome.contact, scope: 'sharing' }, { now })) };
  }
  if (outcome.action === 'stop-sharing') {
    return { shareAgain: linkUrl(base, signLink(secret, { action: 'share-again', userId: claims.userId }, { now })) };
  }
  return {};
}

/** A link of the team view's consent: cross-site posting refused. */
function isTeamLink(claims: LinkClaims): boolean {
  return isTeamLinkAction(claims.action) || (claims.action === 'undo' && claims.scope === 'sharing');
}

/**
 * Where the connect page takes over: `join` opens the connect page (the person picks the
 * provider of their next mailbox), `reconnect` goes straight to the account's provider.
 */
function connectUrl(base: string, claims: LinkClaims, token: string): string {
  const root = base.replace(/\/+$/, '');
  const q = `?${CONNECT_LINK_PARAM}=${encodeURIComponent(token)}`;
  const provider = claims.action === 'reconnect' ? providerOfAccountId(claims.accountId ?? '')?.id : undefined;
  return provider ? `${root}/connect/${provider}${q}` : `${root}/${q}`;
}

/**
 * RFC 8058: the body is `List-Unsubscribe=One-Click`, sent as
 * `application/x-www-form-urlencoded` or `multipart/form-data`.
 */
function isOneClick(request: WebRequest): boolean {
  const body = request.body ?? '';
  if (isMultipart(request)) return /name="?List-Unsubscribe"?\r?\n(?:[^\r\n]+\r?\n)*\r?\nOne-Click\r?\n/i.test(body);
  return parseForm(body)['List-Unsubscribe'] === 'One-Click';
}

function isMultipart(request: WebRequest): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

function oneClickResponse(text: string): WebResponse {
  return { status: 200, headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' }, body: `${text}\n` };
}

function gone(): WebResponse {
  return htmlResponse(410, problemPage('Nothing to do', 'This Sinew account no longer exists: it was disconnected and its data deleted.'));
}
