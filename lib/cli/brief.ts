import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Store } from '#lib/store/types.ts';
import type { Settings } from '#lib/settings.ts';
import type { TokenVault } from '#lib/connect/token-vault.ts';
import { briefEmail, prepareBrief, type NoBrief, type PreparedBrief } from '#lib/brief/job.ts';
import { SmtpMailer } from '#lib/mail/smtp-mailer.ts';
import { InputError } from '#lib/errors.ts';
import { openMailRun, type MailFlags } from './context.ts';
import { parseAsOf } from './options.ts';
import { localLinkSecret } from './report.ts';
import { localVault } from './connect.ts';

export interface BriefFlags extends MailFlags {
  /** The local day `YYYY-MM-DD`; default today in the person's zone. */
  date?: string;
}

export interface WrittenBrief {
  prepared: PreparedBrief | NoBrief;
  files: string[];
}

/**
 * Prepares one person's brief (the same `prepareBrief` as the AWS worker) and writes the
 * files asked for. With nothing to send, only the JSON is written, and only when asked.
 */
export async function writeUserBrief(
  store: Store,
  userId: string,
  opts: {
    date?: string;
    asOf?: Date;
    now: Date;
    settings: Settings;
    files: { html?: string; text?: string; json?: string };
    vault?: TokenVault;
    linkIssuer?: { baseUrl: string; secret: Uint8Array; now: Date };
    /** The team view is on: each attendee's colleagues from the team index (a sharer only). */
    team?: boolean;
  },
): Promise<WrittenBrief> {
  const prepared = await prepareBrief(store, userId, {
    ...(opts.date ? { date: opts.date } : {}),
    ...(opts.asOf ? { asOf: opts.asOf } : {}),
    now: opts.now,
    settings: opts.settings,
    ...(opts.vault ? { vault: opts.vault } : {}),
    ...(opts.linkIssuer ? { linkIssuer: opts.linkIssuer } : {}),
    ...(opts.team ? { team: true } : {}),
  });
  const files: string[] = [];
  const write = async (file: string | undefined, body: string | undefined): Promise<void> => {
    if (!file || body === undefined) return;
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, body);
    files.push(file);
  };
  await write(opts.files.json, prepared.serialized);
  if (prepared.status === 'ready') {
    await write(opts.files.html, prepared.html);
    await write(opts.files.text, prepared.text);
  }
  return { prepared, files };
}

/** One line about a written brief: its day, how many meetings, its subject. */
export function briefSummary(prepared: PreparedBrief): string {
  const n = prepared.json.meetings.length;
  return `brief for ${prepared.date}: ${n} ${n === 1 ? 'meeting' : 'meetings'} with people outside your organization (subject: ${prepared.subject})`;
}

/** Why there is no brief, in one line. */
export function noBriefLine(prepared: NoBrief, date: string | undefined, email: string | undefined): string {
  const who = email ?? 'this person';
  switch (prepared.reason) {
    case 'briefs-off':
      return `briefs are off for ${who} (turned off by the link in a brief): no brief`;
    case 'paused':
      return `Sinew email is paused for ${who}: no brief`;
    case 'unsubscribed':
      return `${who} unsubscribed from Sinew email: no brief`;
    case 'no-meetings':
      return `no meetings with people outside your organization on ${prepared.json?.date ?? date ?? 'that day'}: no brief`;
    case 'no-user':
      return 'no such user';
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `sinew brief`: the meeting brief of one local day (default today, in the person's
 * zone): writes `out/brief.*` by default; with `--send`, emails it over SMTP (then files
 * only where a flag asks for them). No meeting, briefs off or paused: says so, sends nothing.
 */
export async function runBrief(flags: BriefFlags, out: (line: string) => void, now: () => Date): Promise<void> {
  if (flags.date !== undefined && !DAY.test(flags.date)) throw new InputError(`--date must be a day such as 2026-11-24 (got '${flags.date}')`);
  const asOf = flags.asOf === undefined ? undefined : parseAsOf(flags.asOf, now());
  const { settings, config, ctx, userId, files } = await openMailRun(flags, 'brief', 'no user to brief: run `sinew import` first, or pass --user ADDRESS');
  try {
    const user = await ctx.store.getUser(userId);
    if (!user) throw new InputError(`no such user: ${flags.user ?? userId} (import or connect a mailbox first)`);
    const linkIssuer = flags.send ? { baseUrl: config.SINEW_BASE_URL, secret: await localLinkSecret(flags), now: now() } : undefined;
    const written = await writeUserBrief(ctx.store, userId, {
      ...(flags.date ? { date: flags.date } : {}),
      ...(asOf ? { asOf } : {}),
      now: now(),
      settings,
      files,
      vault: await localVault(flags),
      ...(linkIssuer ? { linkIssuer } : {}),
      ...(flags.team ? { team: true } : {}),
    });
    const { prepared } = written;
    if (prepared.status === 'none') {
      out(noBriefLine(prepared, flags.date, user.email));
      if (written.files.length > 0) out(`wrote ${written.files.join(', ')}`);
      return;
    }
    out(briefSummary(prepared));
    if (written.files.length > 0) out(`wrote ${written.files.join(', ')}`);
    if (flags.send) {
      const mailer = new SmtpMailer({ url: config.SINEW_SMTP_URL!, clock: now });
      try {
        const sent = await mailer.send(briefEmail(prepared, config.SINEW_REPORT_FROM));
        out(`sent to ${prepared.user.email} (${sent.messageId})`);
      } finally {
        mailer.close();
      }
    }
  } finally {
    await ctx.close();
  }
}
