import type { ReportModel } from './model.ts';
import { stripControl } from './phrasing.ts';

/**
 * The subject line: the most important thing this week, so the inbox alone tells the
 * user whether to open it ("Raj Patel (Beta) is waiting on your reply — and 3 more things").
 */
export function subjectOf(model: ReportModel): string {
  let subject: string;
  const first = model.actions[0];
  if (model.needsReconnect.length > 0 && !first) {
    subject = 'Reconnect your mailbox: this week’s picture is out of date';
  } else if (first) {
    const more = model.actions.length - 1;
    subject = more === 0 ? first.headline : `${first.headline} — and ${more} more ${more === 1 ? 'thing' : 'things'}`;
  } else if (model.picture.active === 0) {
    subject = 'A quiet week: nothing needs you';
  } else {
    subject = 'A quiet week: your relationships are steady';
  }
  // A header must be one line, whatever a display name held.
  return stripControl(subject).replace(/\s+/g, ' ').trim();
}
