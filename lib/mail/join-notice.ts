import { escapeHtml } from '#lib/html.ts';
import { checkedBaseUrl } from '#lib/links/report-links.ts';
import { linkUrl, signLink } from '#lib/links/token.ts';
import { providerFacts } from '#lib/providers/registry.ts';
import type { Account, User } from '#lib/store/types.ts';
import type { Mailer, OutgoingEmail } from './mailer.ts';

/**
 * The emails that announce a mailbox joining a person's reports (DESIGN section 1, "Who
 * is who"): one to the person's report address, one to the joined mailbox (one email when
 * they are the same address), each with a signed link that detaches that mailbox again.
 * Whoever did not mean it, on either side, sees it and can undo it.
 */

export interface JoinNoticeDeps {
  mailer: Mailer;
  /** The From address. */
  sender: string;
  /** Public base URL of the links (`https://...`, http on loopback only). */
  baseUrl: string;
  /** The link key. */
  secret: Uint8Array;
  now: () => Date;
}

/** The notices for `account` having joined `user`, one per distinct address. */
export function joinNoticeEmails(deps: Omit<JoinNoticeDeps, 'mailer'>, user: User, account: Account): OutgoingEmail[] {
  const now = deps.now();
  const detach = linkUrl(
    checkedBaseUrl(deps.baseUrl),
    signLink(deps.secret, { action: 'detach', userId: user.userId, accountId: account.accountId }, { now: now.getTime() }),
  );
  const when = new Intl.DateTimeFormat('en-GB', {
    day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: user.timeZone, timeZoneName: 'short',
  }).format(now);
  const mailbox = `${account.address} (${providerFacts(account.provider).label})`;
  const reads = 'Sinew reads metadata only (who wrote to whom, and when), never message bodies or subjects.';
  const undo = 'Detaching removes that mailbox from these reports, withdraws Sinew\'s access to it and deletes everything Sinew read from it.';
  const toPerson = compose(deps.sender, user.email, `${account.address} joined your Sinew reports`, [
    `The mailbox ${mailbox} was connected to your weekly Sinew reports on ${when}. From now on its contacts count in the reports sent to ${user.email}.`,
    'If this was not you, or not what you meant, detach it:',
  ], detach, [undo, reads]);
  if (account.address === user.email) return [toPerson];
  const toMailbox = compose(deps.sender, account.address, `Your mailbox ${account.address} now feeds the Sinew reports of ${user.email}`, [
    `Your mailbox ${mailbox} was connected on ${when} to the weekly Sinew reports of ${user.email}: its contacts now count in the reports sent there.`,
    'If you did not mean this, detach it:',
  ], detach, [undo, reads]);
  return [toPerson, toMailbox];
}

/**
 * Sends the notices of a join. Each is tried even when the other fails; a failure is
 * thrown after both were tried, so the caller logs it (the join itself stands).
 * @returns how many went out
 */
export async function sendJoinNotices(deps: JoinNoticeDeps, user: User, account: Account): Promise<number> {
  let sent = 0;
  let failure: unknown;
  for (const email of joinNoticeEmails(deps, user, account)) {
    try {
      await deps.mailer.send(email);
      sent += 1;
    } catch (err) {
      failure ??= err;
    }
  }
  if (failure !== undefined) throw failure;
  return sent;
}

function compose(from: string, to: string, subject: string, lead: string[], url: string, tail: string[]): OutgoingEmail {
  const text = [...lead, url, '', ...tail, ''].join('\n');
  const p = (line: string): string => `<p style="font-size:16px;line-height:1.5;margin:0 0 12px;">${escapeHtml(line)}</p>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2933;background:#ffffff;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;"><tr><td>
${lead.map(p).join('\n')}
<p style="margin:20px 0;"><a href="${escapeHtml(url)}" style="display:inline-block;background:#c92a2a;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-size:16px;">Detach this mailbox</a></p>
<p style="font-size:13px;line-height:1.5;color:#52606d;margin:0 0 8px;">${escapeHtml(url)}</p>
${tail.map((l) => `<p style="font-size:13px;line-height:1.5;color:#52606d;margin:12px 0 0;">${escapeHtml(l)}</p>`).join('\n')}
</td></tr></table>
</body></html>
`;
  return { from, to, subject, html, text, headers: {} };
}
