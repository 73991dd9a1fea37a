import type { ReportModel } from './model.ts';
import { safeUrl } from './escape.ts';
import { subjectOf } from './subject.ts';
import { teamNoticeText } from './team-notice.ts';
import {
  CHANGE_TIME_ZONE, FIRST_REPORT, FIRST_WEEK, MAILBOXES, NOTHING_TO_DO, NO_CALENDAR, READS, cannotRead, datesIn, noActivity, moreFlagged, signed, yourNote, notesLinkLabel, KEEP_PRIVATE,
} from './wording.ts';

/**
 * The plain-text part: the same report as the HTML, for clients that show text and for
 * people who prefer it. Every action is here in full (summary, evidence, suggestion) and
 * every link the HTML has, written out.
 */
export function renderText(model: ReportModel): string {
  const lines: string[] = [`Sinew, week of ${model.weekOf}`, '', subjectOf(model), ''];
  const link = (label: string, url: string | undefined): void => {
    if (safeUrl(url)) lines.push(`${label}: ${url}`);
  };
  if (model.firstWeek) lines.push(FIRST_REPORT, '');

  if (model.needsReconnect.length > 0) {
    lines.push(`! ${cannotRead(model.needsReconnect.join(', '))}`);
    link('  Reconnect', model.links.reconnect);
    lines.push('');
  }
  for (const notice of model.staleNotices) lines.push(`! ${notice}`, '');

  lines.push('WHAT TO DO THIS WEEK', '');
  if (model.emptyWeek) lines.push(NOTHING_TO_DO, '');
  const { contactAction: make, notes, keepPrivate } = model.links;
  model.actions.forEach((action, i) => {
    lines.push(`${i + 1}. ${action.title}`, `   ${action.summary}`);
    for (const c of action.contacts) {
      if (c.note !== undefined) lines.push(`   ${yourNote(action.contacts.length > 1 ? c.label : undefined)} ${c.note}`);
    }
    for (const e of action.evidence) lines.push(`   - ${e}`);
    lines.push(`   > ${action.suggestion}`);
    for (const c of action.contacts.slice(0, 5)) {
      const who = action.contacts.length > 1 ? ` (${c.label})` : '';
      if (make) {
        link(`   This is fine${who}`, make(c.address, 'fine'));
        link(`   Snooze 30 days${who}`, make(c.address, 'snooze'));
        link(`   Mute${who}`, make(c.address, 'mute'));
      }
      if (notes) link(`   ${notesLinkLabel(c.note !== undefined)}${who}`, notes(c.address));
      if (keepPrivate) link(`   ${KEEP_PRIVATE}${who}`, keepPrivate(c.address));
    }
    lines.push('');
  });
  if (model.omittedActions > 0) lines.push(moreFlagged(model.omittedActions), '');
  if (model.team) lines.push(...teamNoticeText(model.team));
  if (model.calendarMissing) {
    lines.push(NO_CALENDAR, model.calendarMissing.hint);
    link('  Add your calendar', model.calendarMissing.link);
    lines.push('');
  }

  const p = model.picture;
  lines.push('THE PICTURE', '');
  const change = p.change ? ` (${signed(p.change.active, '-')} since last week)` : model.firstWeek ? ` (${FIRST_WEEK})` : '';
  lines.push(`${p.active} active ${p.active === 1 ? 'relationship' : 'relationships'}${change}`);
  if (p.active === 0) lines.push(noActivity(model.windowDays));
  else {
    for (const b of p.distribution) {
      const delta = p.change ? ` (${signed(p.change.buckets[b.bucket], '-')})` : '';
      lines.push(`  ${b.label.padEnd(16)} ${String(b.count).padStart(4)}${delta}`);
    }
  }
  if (p.strongest.length > 0) {
    lines.push('', 'Strongest:');
    for (const c of p.strongest) lines.push(`  ${c.fullName} (${c.health})`);
  }
  if (p.warming.length > 0) lines.push('', `Warming: ${names(p.warming, p.warmingCount)}`);
  if (p.newThisWeekCount > 0) lines.push('', `New this week: ${names(p.newThisWeek, p.newThisWeekCount)}`);
  if (p.singleThreaded.length > 0) {
    lines.push('', 'Single-threaded accounts (one departure away from losing the organization):');
    for (const a of p.singleThreaded.slice(0, 5)) {
      lines.push(`  ${a.label} (${a.domain})${a.contact ? `: only ${a.contact.fullName}` : ''}`);
    }
    if (p.singleThreaded.length > 5) lines.push(`  and ${p.singleThreaded.length - 5} more`);
  }

  const ex = model.excluded;
  const left = ex.automated + ex.broadcast + ex.internal;
  lines.push('', '--', READS);
  if (left > 0) lines.push(`It left out ${left} automated, broadcast or internal messages.`);
  lines.push(`Sent to ${model.user}.`);
  if (model.mailboxes.length > 0) lines.push(MAILBOXES, ...model.mailboxes.map((m) => `  ${m.line}`));
  lines.push(`${datesIn(model.timeZone)}.`);
  const l = model.links;
  link(CHANGE_TIME_ZONE, l.timeZone);
  link('Manage or pause reports', l.manage);
  link('Pause weekly reports', l.pause);
  link('Unsubscribe', l.unsubscribe);
  link('Disconnect and delete my data', l.disconnect);
  return `${lines.join('\n')}\n`;
}

function names(shown: { fullName: string }[], count: number): string {
  const extra = count > shown.length ? ` and ${count - shown.length} more` : '';
  return `${shown.map((c) => c.fullName).join(', ')}${extra}`;
}
