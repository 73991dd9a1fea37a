import { InputError } from '#lib/errors.ts';
import { linkUrl, signLink, type LinkClaims } from '#lib/links/token.ts';
import { isSharing } from '#lib/team/sharing.ts';
import { NotSharingError, whoKnows, type WhoKnowsAnswer } from '#lib/team/who-knows.ts';
import type { Store } from '#lib/store/types.ts';
import { escapeText, page, problemPage } from './links-pages.ts';
import { htmlResponse, type WebRequest, type WebResponse } from './http.ts';
import { whoKnowsPage } from './who-knows-page.ts';

/**
 * The page behind a signed `who-knows` link of the weekly email (DESIGN section 10),
 * served by the links app once the link's signature and expiry are checked. Only `GET`:
 * without `q` it shows the form, with `q` it answers from the team index for the link's
 * owner alone (one Query of the asked account's partition, lib/team/who-knows.ts) and
 * writes nothing, so a mail scanner fetching the link changes nothing either. A person
 * who does not share, or a deployment without the team view, gets a page saying so.
 * The log gets the person's id and how many colleagues were named, never the query.
 */

interface WhoKnowsDeps {
  store: Store;
  now: () => Date;
  /** The deployment's team view is on (CDK context `team=on`). */
  team?: boolean;
  log?: { info(message: string, attributes: Record<string, string | number | boolean>): void };
}

/** Answers a verified `who-knows` link. */
export async function answerWhoKnowsLink(
  deps: WhoKnowsDeps,
  request: WebRequest,
  claims: LinkClaims,
  link: { token: string; base: string; secret: Uint8Array },
): Promise<WebResponse> {
  if (request.method !== 'GET') {
    return htmlResponse(405, problemPage('Method not allowed', 'This page only answers questions: open it from your email.'), { headers: { allow: 'GET, HEAD' } });
  }
  if (!deps.team) return htmlResponse(404, problemPage('No team view here', 'The team view is off in this Sinew: ask your administrator.'));
  const user = await deps.store.getUser(claims.userId);
  if (!user) return htmlResponse(410, problemPage('Nothing to do', 'This Sinew account no longer exists: it was disconnected and its data deleted.'));
  if (!isSharing(user)) return notSharing(claims, link, deps.now());
  const action = linkUrl(link.base, link.token);
  const query = request.query.q?.trim();
  if (!query) return htmlResponse(200, whoKnowsPage({ action }).html);
  let answer: WhoKnowsAnswer;
  try {
    answer = await whoKnows(deps.store, claims.userId, query);
  } catch (err) {
    if (err instanceof NotSharingError) return notSharing(claims, link, deps.now());
    if (err instanceof InputError) return htmlResponse(400, whoKnowsPage({ action, query, error: `${err.message}.` }).html);
    throw err;
  }
  deps.log?.info('who-knows answered', { action: 'who-knows', userId: claims.userId, match: answer.match, colleagues: answer.colleagues.length });
  return htmlResponse(200, whoKnowsPage({ action, query, answer }).html);
}

/** A person who stopped sharing sees no team view: the page says so and offers to share again. */
function notSharing(claims: LinkClaims, link: { base: string; secret: Uint8Array }, now: Date): WebResponse {
  const shareAgain = linkUrl(link.base, signLink(link.secret, { action: 'share-again', userId: claims.userId }, { now: now.getTime() }));
  const body =
    '<h1>You are not sharing</h1><p>Who knows whom is for the people who share the team view: you stopped sharing, so you see no one else\'s either.</p>' +
    `<form method="post" action="${escapeText(shareAgain)}"><button type="submit">Share again</button></form>`;
  return htmlResponse(403, page('You are not sharing', body), { headers: { 'referrer-policy': 'same-origin' } });
}
