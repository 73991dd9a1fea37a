import { escapeHtml } from '#lib/html.ts';
import { randomUUID } from 'node:crypto';
import type { Account, Store } from '#lib/store/types.ts';
import type { Mailer, OutgoingEmail } from './mailer.ts';
import { reconnectUrl, reportLinksFor } from '#lib/links/report-links.ts';
import { MailDeliveryError } from './errors.ts';
import { CONNECTED_PROVIDERS, connectedProvider } from '#lib/providers/registry.ts';

/**
 * The one email that asks a person to reconnect a mailbox when its account turns
 * `needs-reconnect` (DESIGN section 5): Sinew cannot read it any more, so their reports
 * go stale until they sign in again. Sent once per transition, whatever the number of
 * workers that notice it.
 */

export interface ReconnectNoticeDeps {
  store: Store;
  mailer: Mailer;
  /** The From address. */
  sender: string;
  baseUrl: string;
  secret: Uint8Array;
  now: () => Date;
  /** The claim's lease. @default 15 minutes */
  leaseMs?: number;
}

const LEASE_MS = 15 * 60_000;

/**
 * Sends the reconnect notice for `accountId` if it is due: the account needs reconnecting,
 * its owner still takes mail from Sinew (not paused, unsubscribed or bounced), and no
 * notice went out for this transition yet. A transition is named by `transition` when the
 * caller has one, else by the account's last successful sync (a mailbox that breaks,
 * is reconnected, syncs and breaks again gets a second notice). Resolves `true` when this
 * call sent it. A transport failure is thrown (after giving the claim back when nothing
 * went out), so the caller decides whether its own job fails.
 */
export async function sendReconnectNotice(
  deps: ReconnectNoticeDeps,
  userId: string,
  accountId: string,
  transition?: string,
): Promise<boolean> {
  const account = await deps.store.getAccount(userId, accountId);
  if (!account || account.status !== 'needs-reconnect' || !connectedProvider(account.provider)) return false;
  const user = await deps.store.getUser(userId);
  if (!user || user.reportsPaused) return false;

  const key = `reconnect#${accountId}#${(transition ?? account.lastSyncAt ?? 'never').replace(/[^A-Za-z0-9:._-]/g, '_')}`;
  const owner = randomUUID();
  const claim = await deps.store.claimSend(userId, key, owner, deps.now(), deps.leaseMs ?? LEASE_MS);
  if (claim !== 'claimed') return false;

  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send(reconnectEmail(deps, account, user.email)));
  } catch (error) {
    if (!(error instanceof MailDeliveryError) || error.outcome === 'refused') {
      await deps.store.releaseSend(userId, key, owner).catch(() => undefined);
    }
    throw error;
  }
  // A failed receipt leaves the claim to expire; the caller calls once per transition anyway.
  await deps.store.markSent(userId, key, messageId, deps.now()).catch(() => undefined);
  return true;
}

/** The notice itself: short, says what broke, what it costs, and the one thing to do. */
export function reconnectEmail(
  deps: Pick<ReconnectNoticeDeps, 'sender' | 'baseUrl' | 'secret' | 'now'>,
  account: Account,
  to: string,
): OutgoingEmail {
  // An imported archive is never reconnected (sendReconnectNotice skips it); the first provider stands in.
  const provider = connectedProvider(account.provider) ?? CONNECTED_PROVIDERS[0]!;
  const now = deps.now();
  const url = reconnectUrl({ baseUrl: deps.baseUrl, secret: deps.secret, userId: account.userId, now, provider: provider.id, accountId: account.accountId });
  const { unsubscribeUrl } = reportLinksFor({ baseUrl: deps.baseUrl, secret: deps.secret, userId: account.userId, now });
  const name = provider.label;
  const subject = `Reconnect ${account.address}: Sinew can no longer read it`;
  const lines = [
    `Sinew lost access to your ${name} mailbox ${account.address}: the sign-in was revoked or expired.`,
    'Until you reconnect it, your weekly report leaves out everything new in that mailbox.',
  ];
  const text = [
    ...lines,
    '',
    `Reconnect (one sign-in, about a minute): ${url}`,
    '',
    'Sinew reads metadata only (who, when), never message bodies or subjects.',
    `Stop all email from Sinew: ${unsubscribeUrl}`,
    '',
  ].join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2933;background:#ffffff;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;"><tr><td>
${lines.map((l) => `<p style="font-size:16px;line-height:1.5;margin:0 0 12px;">${escapeHtml(l)}</p>`).join('\n')}
<p style="margin:20px 0;"><a href="${escapeHtml(url)}" style="display:inline-block;background:#0b6e4f;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-size:16px;">Reconnect ${escapeHtml(account.address)}</a></p>
<p style="font-size:13px;line-height:1.5;color:#52606d;margin:24px 0 0;">Sinew reads metadata only (who, when), never message bodies or subjects. <a href="${escapeHtml(unsubscribeUrl)}" style="color:#52606d;">Stop all email from Sinew</a></p>
</td></tr></table>
</body></html>
`;
  return {
    from: deps.sender,
    to,
    subject,
    html,
    text,
    headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}
