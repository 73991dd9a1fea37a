import type { ReportJson } from './types.ts';
import type { PathColleague, WarmPathReason } from '#lib/team/types.ts';
import { DateWords, fullName, organizationLabel, organizationOf } from './phrasing.ts';

/**
 * Warm paths in the email (DESIGN section 10): each fading or no-face-time action gains
 * one line of evidence per colleague the team view names for it, "Sam Lee also knows
 * Oliver Grant: strong, last contact 3 Nov". Without a `team` member (team off) the
 * action is returned as it was, so the email is unchanged byte for byte.
 */

const REASON: Readonly<Record<string, WarmPathReason>> = { fading: 'fading', 'no-face-time': 'noFaceTime' };

/** What of an action its warm paths need (actions.ts's Action; structural, so no import cycle). */
interface Pathed {
  kind: string;
  contacts: ReadonlyArray<{ address: string }>;
  evidence: string[];
}

/** The action with its warm-path lines appended to its evidence. */
export function withWarmPaths<A extends Pathed>(action: A, json: ReportJson): A {
  const reason = REASON[action.kind];
  const paths = json.team?.paths;
  if (reason === undefined || paths === undefined || paths.length === 0) return action;
  // Days in the index are UTC days: told as such, whatever the reader's zone.
  const dates = new DateWords(new Date(json.asOf), 'UTC');
  const names = new Map(json.contacts.map((c) => [c.address, c.name]));
  const lines: string[] = [];
  for (const c of action.contacts) {
    const path = paths.find((p) => p.reason === reason && p.for === c.address);
    for (const colleague of path?.colleagues ?? []) lines.push(warmPathLine(colleague, c.address, names, dates));
  }
  return lines.length === 0 ? action : { ...action, evidence: [...action.evidence, ...lines] };
}

/** "Sam Lee also knows Oliver Grant: strong, last contact 3 Nov", or "... knows Brightwater (through Chloe Martin): ...". */
export function warmPathLine(c: PathColleague, contact: string, names: ReadonlyMap<string, string | null>, dates: DateWords): string {
  const who = fullName(c.address, c.name);
  const viaName = fullName(c.via, names.get(c.via));
  const org = organizationOf(c.via);
  const target = c.via === contact ? viaName : org === null ? viaName : `${organizationLabel(org)} (through ${viaName})`;
  return `${who} also knows ${target}: ${c.tier}, last contact ${dates.date(`${c.lastInteraction}T00:00:00.000Z`)}`;
}
