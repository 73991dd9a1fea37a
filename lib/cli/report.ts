import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Store } from '#lib/store/types.ts';
import type { ReportJson } from '#lib/report/types.ts';
import type { Settings } from '#lib/settings.ts';
import { prepareWeeklyReport, reportEmail, type PreparedReport } from '#lib/report/job.ts';
import { SmtpMailer } from '#lib/mail/smtp-mailer.ts';
import { loadOrCreateKeyFile, type TokenVault } from '#lib/connect/token-vault.ts';
import { openMailRun, type GlobalFlags, type MailFlags } from './context.ts';
import { parseAsOf } from './options.ts';
import { summarize } from './summary.ts';
import { teamLine } from './who-knows.ts';
import { localVault } from './connect.ts';

/** `sinew report`'s flags: those it shares with `sinew brief`. */
export type ReportFlags = MailFlags;

export interface WrittenReport {
  json: ReportJson;
  files: string[];
  subject: string;
  prepared: PreparedReport;
}

/**
 * Builds, stores (per ISO week, so next week's "change since last week" is real) and
 * writes one user's report: the same build/store/render as the report worker
 * (`prepareWeeklyReport`). Signed links only with `linkIssuer` (when the report is sent):
 * files on disk stay deterministic.
 */
export async function writeUserReport(
  store: Store,
  userId: string,
  opts: {
    asOf: Date;
    settings: Settings;
    files: { html?: string; text?: string; json?: string };
    linkIssuer?: { baseUrl: string; secret: Uint8Array; now: Date };
    /** The team view is on: publish this person's entries and show their colleagues. */
    team?: boolean;
    /** Opens the person's notes, for the newest note beside each action; none shown without it. */
    vault?: TokenVault;
  },
): Promise<WrittenReport> {
  const prepared = await prepareWeeklyReport(store, userId, {
    asOf: opts.asOf,
    settings: opts.settings,
    ...(opts.linkIssuer ? { linkIssuer: opts.linkIssuer } : {}),
    ...(opts.team ? { team: true } : {}),
    ...(opts.vault ? { vault: opts.vault } : {}),
  });
  const files: string[] = [];
  const write = async (file: string | undefined, body: string): Promise<void> => {
    if (!file) return;
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, body);
    files.push(file);
  };
  await write(opts.files.json, prepared.serialized);
  await write(opts.files.html, prepared.html);
  await write(opts.files.text, prepared.text);
  return { json: prepared.json, files, subject: prepared.subject, prepared };
}

/**
 * `sinew report`: compute health and write the report files (default `out/report.*`);
 * with `--send`, email it over SMTP (then files only where a flag asks for them).
 */
export async function runReport(flags: ReportFlags, out: (line: string) => void, now: () => Date): Promise<void> {
  const asOf = parseAsOf(flags.asOf, now());
  const { settings, config, ctx, userId, files } = await openMailRun(flags, 'report', 'no user to report on: run `sinew import` first, or pass --user ADDRESS');
  try {
    const linkIssuer = flags.send
      ? { baseUrl: config.SINEW_BASE_URL, secret: await localLinkSecret(flags), now: now() }
      : undefined;
    const vault = await localVault(flags);
    const written = await writeUserReport(ctx.store, userId, { asOf, settings, files, vault, ...(linkIssuer ? { linkIssuer } : {}), ...(flags.team ? { team: true } : {}) });
    out(summarize(written.json));
    out('');
    out(`subject: ${written.subject}`);
    if (written.files.length > 0) out(`wrote ${written.files.join(', ')}`);
    if (written.json.team) out(teamLine(written.json.team));
    const notes = written.prepared.notes;
    if (notes.state === 'failed') out(`notes left out of this report: they could not be opened (${notes.error instanceof Error ? notes.error.message : String(notes.error)})`);
    if (flags.send) {
      const mailer = new SmtpMailer({ url: config.SINEW_SMTP_URL!, clock: now });
      try {
        const sent = await mailer.send(reportEmail(written.prepared, config.SINEW_REPORT_FROM));
        out(`sent to ${written.prepared.user.email} (${sent.messageId})`);
      } finally {
        mailer.close();
      }
    }
  } finally {
    await ctx.close();
  }
}

/** Where the local link key lives: beside the token master key, in the data directory. */
export function linkKeyPath(dataDir: string): string {
  return join(dataDir, 'link.key');
}

/**
 * The key that signs links locally: its own random 32 bytes in `<data>/link.key` (mode
 * 0600, created on first use), not derived from the token master key, so either can be
 * replaced without the other. In memory (`--memory`) a fresh key per run: nothing that
 * could answer the links outlives the run anyway.
 */
export async function localLinkSecret(flags: GlobalFlags): Promise<Uint8Array> {
  if (flags.memory) return randomBytes(32);
  return loadOrCreateKeyFile(linkKeyPath(flags.data), 'link key');
}
