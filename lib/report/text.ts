import type { ReportModel } from './model.ts';
import { subjectOf } from './subject.ts';
import { plural } from './phrasing.ts';

/**
 * The plain-text part: the same report as the HTML, for clients that show text and for
 * people who prefer it. Every action is here in full, with its evidence.
 */
export function renderText(model: ReportModel): string {
  const lines: string[] = [`Sinew, week of ${model.weekOf}`, '', subjectOf(model), ''];

  if (model.needsReconnect.length > 0) {
    lines.push(`! Sinew can no longer read ${model.needsReconnect.join(', ')}, so this report may be out of date.`);
    if (model.links.reconnect) lines.push(`  Reconnect: ${model.links.reconnect}`);
    lines.push('');
  }

  lines.push('WHAT TO DO THIS WEEK', '');
  if (model.emptyWeek) {
    lines.push('Nothing needs you this week. No one is waiting on a reply and no strong relationship is going quiet.', '');
  }
  model.actions.forEach((action, i) => {
    lines.push(`${i + 1}. ${action.title}`, `   ${action.suggestion}`);
    for (const e of action.evidence) lines.push(`   - ${e}`);
    const make = model.links.contactAction;
    if (make) {
      for (const c of action.contacts.slice(0, 5)) {
        const who = action.contacts.length > 1 ? `${c.displayName}: ` : '';
        lines.push(`   ${who}this is fine ${make(c.address, 'fine')} | snooze ${make(c.address, 'snooze')} | mute ${make(c.address, 'mute')}`);
      }
    }
    lines.push('');
  });
  if (model.omittedActions > 0) {
    lines.push(`${plural(model.omittedActions, 'more action')} below these five are in the JSON export.`, '');
  }

  const p = model.picture;
  lines.push('THE PICTURE', '');
  const change = p.change ? ` (${signed(p.change.active)} since last week)` : ' (your first report: next week shows what changed)';
  lines.push(`${p.active} active ${p.active === 1 ? 'relationship' : 'relationships'}${change}`);
  for (const b of p.distribution) {
    const delta = p.change ? ` (${signed(p.change.buckets[b.bucket])})` : '';
    lines.push(`  ${b.label.padEnd(16)} ${String(b.count).padStart(4)}${delta}`);
  }
  if (p.strongest.length > 0) {
    lines.push('', 'Strongest:');
    for (const c of p.strongest) lines.push(`  ${c.fullName} (${c.health})`);
  }
  if (p.warming.length > 0) {
    const extra = p.warmingCount > p.warming.length ? ` and ${p.warmingCount - p.warming.length} more` : '';
    lines.push('', `Warming: ${p.warming.map((c) => c.fullName).join(', ')}${extra}`);
  }
  if (p.newThisWeekCount > 0) {
    const extra = p.newThisWeekCount > p.newThisWeek.length ? ` and ${p.newThisWeekCount - p.newThisWeek.length} more` : '';
    lines.push('', `New this week: ${p.newThisWeek.map((c) => c.fullName).join(', ')}${extra}`);
  }
  if (p.singleThreaded.length > 0) {
    lines.push('', 'Single-threaded accounts (one departure away from losing the organization):');
    for (const a of p.singleThreaded.slice(0, 5)) {
      lines.push(`  ${a.label} (${a.domain})${a.contact ? `: only ${a.contact.fullName}` : ''}`);
    }
    if (p.singleThreaded.length > 5) lines.push(`  and ${p.singleThreaded.length - 5} more`);
  }

  lines.push('', '--', 'Sinew reads metadata only: senders, recipients, times and meeting attendees. It never reads subjects or message bodies.');
  lines.push(`Sent to ${model.user}.`);
  if (model.links.manage) lines.push(`Manage or pause reports: ${model.links.manage}`);
  if (model.links.unsubscribe) lines.push(`Unsubscribe: ${model.links.unsubscribe}`);
  return `${lines.join('\n')}\n`;
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `-${-n}` : '±0';
}
