import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '#lib/store/types.ts';
import type { Settings } from '#lib/settings.ts';
import { loadConfig, type Config } from '#lib/config.ts';
import { ConfigError, InputError } from '#lib/errors.ts';
import { userIdFor } from '#lib/connect/identity.ts';
import { openLocalStore } from '#lib/local/store.ts';
import { settingsFromFlags, type SettingsFlags } from './options.ts';

export interface GlobalFlags {
  data: string;
  memory?: boolean;
}

export interface CliContext {
  store: Store;
  /** The user the last import was for, so `sinew report` needs no `--user`. */
  defaultUser(): Promise<string | undefined>;
  setDefaultUser(userId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the store the CLI works on: `SINEW_DYNAMODB_ENDPOINT` when set, else the
 * embedded DynamoDB, persisted under `--data` or in memory with `--memory`.
 */
export async function openCliContext(flags: GlobalFlags): Promise<CliContext> {
  const config = loadConfig();
  const local = await openLocalStore({
    endpoint: config.SINEW_DYNAMODB_ENDPOINT,
    tableName: config.SINEW_TABLE_NAME,
    path: flags.memory ? undefined : flags.data,
  });
  const stateFile = join(flags.data, 'cli.json');
  let memoryUser: string | undefined;
  return {
    store: local.store,
    async defaultUser() {
      if (flags.memory) return memoryUser;
      const text = await readFile(stateFile, 'utf8').catch(() => undefined);
      return text ? (JSON.parse(text) as { defaultUser?: string }).defaultUser : undefined;
    },
    async setDefaultUser(userId) {
      if (flags.memory) {
        memoryUser = userId;
        return;
      }
      await mkdir(flags.data, { recursive: true });
      await writeFile(stateFile, `${JSON.stringify({ defaultUser: userId })}\n`);
    },
    close: () => local.close(),
  };
}

/** The flags `sinew report` and `sinew brief` share. */
export interface MailFlags extends GlobalFlags, SettingsFlags {
  asOf?: string;
  html?: string;
  text?: string;
  json?: string;
  user?: string;
  /** Email it over SMTP (`SINEW_SMTP_URL`) to the person's address. */
  send?: boolean;
  /** The team view over the people in this store (DESIGN section 10); in a brief, colleagues who know each attendee. */
  team?: boolean;
}

export interface MailRun {
  settings: Settings;
  config: Config;
  /** Open: the caller closes it. */
  ctx: CliContext;
  userId: string;
  /** The files to write: those the flags name, else `out/<name>.*` unless sending. */
  files: { html?: string | undefined; text?: string | undefined; json?: string | undefined };
}

/**
 * The option handling `sinew report` and `sinew brief` share: the settings from the
 * flags, a send that cannot happen refused before any work, the store opened and the
 * person found (`--user` or the default user; `noUser` when there is none). On a failure
 * after the store is open, it is closed again.
 */
export async function openMailRun(flags: MailFlags, name: 'report' | 'brief', noUser: string): Promise<MailRun> {
  const settings = settingsFromFlags(flags);
  const config = loadConfig();
  // Before any work: a send that cannot happen should say so at once.
  if (flags.send && !config.SINEW_SMTP_URL) {
    throw new ConfigError('SINEW_SMTP_URL is not set: --send needs an SMTP server, e.g. SINEW_SMTP_URL=smtp://127.0.0.1:2525');
  }
  const ctx = await openCliContext(flags);
  try {
    const userId = flags.user ? userIdFor(flags.user) : await ctx.defaultUser();
    if (!userId) throw new InputError(noUser);
    const anyFile = flags.html || flags.text || flags.json;
    const files = anyFile || flags.send
      ? { html: flags.html, text: flags.text, json: flags.json }
      : { html: join('out', `${name}.html`), text: join('out', `${name}.txt`), json: join('out', `${name}.json`) };
    return { settings, config, ctx, userId, files };
  } catch (error) {
    await ctx.close();
    throw error;
  }
}
