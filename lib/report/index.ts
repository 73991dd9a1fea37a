import type { ReportJson } from './types.ts';
import { buildModel, type AddCalendar, type MailboxInput } from './model.ts';
import type { ReportLinks } from '#lib/links/report-links.ts';
import { renderHtml } from './html.ts';
import { renderText } from './text.ts';
import { subjectOf } from './subject.ts';
import type { TeamNotice } from './team-notice.ts';

/**
 * The report stage (DESIGN section 5): a week's JSON export in, the email out. The HTML
 * and text parts come from one view model, so they always say the same thing.
 */

export { buildReportJson, parseReportJson, reportJsonSchema, serializeReport, type ReportJsonInput } from './json.ts';
export { MAX_ACTIONS, planActions, type Action, type ActionKind, type ActionPlan } from './actions.ts';
export { BUCKETS, bucketOf, buildModel, type AddCalendar, type MailboxInput, type ModelOptions, type ReportModel } from './model.ts';
export type { ReportLinks } from '#lib/links/report-links.ts';
export { escapeHtml, renderHtml } from './html.ts';
export { renderText } from './text.ts';
export { subjectOf } from './subject.ts';
export { nameInAccount, personLabel, personLabels, type NamedPerson } from './person-name.ts';
export { teamNoticeFor, type TeamNotice, type TeamNoticeState } from './team-notice.ts';

export interface RenderOptions {
  /** IANA zone dates are written in; default UTC. */
  timeZone?: string;
  /** Last week's report, for "change since last week". */
  previous?: ReportJson;
  /** Signed links (manage, unsubscribe, per-contact answers); none locally. */
  links?: ReportLinks;
  /** Connected addresses whose account needs reconnecting. */
  needsReconnect?: string[];
  /** The mailboxes behind the report, with their sync freshness. */
  mailboxes?: MailboxInput[];
  /** How to add the missing calendar (when the JSON says `calendar: missing`). */
  addCalendar?: AddCalendar;
  /** The newest note on each contact, by address: its first line stands beside their action. */
  notes?: ReadonlyMap<string, string>;
  /** What the email says about the team view (DESIGN section 10; lib/report/team-notice.ts); none when it is off. */
  team?: TeamNotice;
}

/** Renders one week's email: HTML, plain text and a subject naming the most important thing. */
export async function renderReport(
  json: ReportJson,
  opts: RenderOptions = {},
): Promise<{ html: string; text: string; subject: string }> {
  const model = buildModel(json, opts);
  return { html: await renderHtml(model), text: renderText(model), subject: subjectOf(model) };
}
