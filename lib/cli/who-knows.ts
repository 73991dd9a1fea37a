import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { userIdFor } from '#lib/connect/identity.ts';
import { InputError } from '#lib/errors.ts';
import type { TeamColleague, TeamJson } from '#lib/team/types.ts';
import { whoKnows, type WhoKnowsAnswer } from '#lib/team/who-knows.ts';
import { openCliContext, type GlobalFlags } from './context.ts';

export interface WhoKnowsFlags extends GlobalFlags {
  /** The team view is on over the people in this store. */
  team?: boolean;
  /** Who asks (default: the last imported user). */
  user?: string;
  /** Write the answer as JSON here. */
  json?: string;
}

/**
 * `sinew who-knows ADDRESS|DOMAIN --team`: the colleagues in this store who share and are
 * active with that contact or organization, ranked (tier, then most recent), never the
 * asker; refused for an asker who does not share.
 */
export async function runWhoKnows(query: string, flags: WhoKnowsFlags, out: (line: string) => void): Promise<void> {
  if (!flags.team) throw new InputError('who-knows is part of the team view, which is off: pass --team to turn it on over the people in this store');
  const ctx = await openCliContext(flags);
  try {
    const asker = flags.user ? userIdFor(flags.user) : await ctx.defaultUser();
    if (!asker) throw new InputError('no one to ask as: run `sinew import` first, or pass --user ADDRESS');
    const answer = await whoKnows(ctx.store, asker, query);
    for (const line of answerLines(answer)) out(line);
    if (flags.json) {
      await mkdir(dirname(flags.json), { recursive: true });
      await writeFile(flags.json, `${JSON.stringify(answer, null, 2)}\n`);
      out(`wrote ${flags.json}`);
    }
  } finally {
    await ctx.close();
  }
}

/** The answer as lines: a heading, then one line per colleague. */
export function answerLines(a: WhoKnowsAnswer): string[] {
  if (a.match === 'none') return [`nobody else who shares is active with ${a.query}`];
  const heading = a.match === 'contact' ? `who knows ${a.query}:` : `nobody else knows ${a.query} itself; at ${a.account}:`;
  return [heading, ...a.colleagues.map((c) => `  ${colleagueLine(c)}`)];
}

function colleagueLine(c: TeamColleague): string {
  const who = c.name ? `${c.name} <${c.address}>` : c.address;
  const contacts = c.activeContacts === 1 ? '1 active contact' : `${c.activeContacts} active contacts`;
  return `${who}: ${c.tier}, ${contacts}, last contact ${c.lastInteraction}`;
}

/** One line on the team view of a report, for the CLI's summary. */
export function teamLine(team: TeamJson): string {
  if (!team.sharing) return 'team view: you do not share, so you see no team view';
  const covered = team.accounts.filter((a) => a.colleagues.length > 0).length;
  const paths = team.paths.length;
  return `team view: colleagues active at ${covered} of your ${team.accounts.length} accounts; ${paths} warm ${paths === 1 ? 'path' : 'paths'}`;
}
