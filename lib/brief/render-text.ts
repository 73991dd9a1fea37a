import type { BriefModel } from './render-model.ts';
import { safeUrl } from '#lib/report/escape.ts';
import { noteText } from '#lib/notes/text.ts';
import { BRIEF_MAILBOXES, BRIEF_READS, LINK_LABELS, NO_MEETINGS, YOUR_NOTES, colleaguesWho, timesIn } from './render-words.ts';

/**
 * The plain-text part of the brief: the same meetings, sentences, notes, account lines
 * and links as the HTML, written out. A note's later lines are indented under it, so no
 * note can pass for a heading or a link line of the email.
 */
export function renderBriefText(model: BriefModel): string {
  const lines: string[] = [`Sinew meeting brief, ${model.dayLabel}`, '', model.subject, ''];
  const link = (label: string, url: string | undefined, indent = ''): void => {
    if (safeUrl(url)) lines.push(`${indent}${label}: ${url}`);
  };
  for (const notice of model.notices) lines.push(`! ${notice}`, '');
  if (model.meetings.length === 0) lines.push(NO_MEETINGS, '');
  for (const m of model.meetings) {
    lines.push(m.time, m.withLine, '');
    for (const a of m.attendees) {
      const [lead, ...rest] = a.sentences;
      lines.push(`- ${lead ?? a.label}`, ...rest.map((s) => `  ${s}`));
      if (a.notes.length > 0) {
        lines.push(`  ${YOUR_NOTES}:`);
        for (const n of a.notes) lines.push(`    ${n.when}: ${noteText(n.text, '      ')}`);
      }
      if (a.colleagues.length > 0) lines.push(`  ${colleaguesWho(a.first)}: ${a.colleagues.join(', ')}`);
      link(a.links.noteLabel, a.links.note, '  ');
      link(LINK_LABELS.fine, a.links.fine, '  ');
      link(LINK_LABELS.mute, a.links.mute, '  ');
      lines.push('');
    }
    if (m.accounts.length > 0) lines.push(...m.accounts, '');
  }
  lines.push('--', BRIEF_READS, `Sent to ${model.user}.`);
  if (model.mailboxes.length > 0) lines.push(BRIEF_MAILBOXES, ...model.mailboxes.map((m) => `  ${m}`));
  lines.push(`${timesIn(model.timeZone)}.`);
  link(LINK_LABELS.briefsOff, model.links.briefsOff);
  link(LINK_LABELS.pause, model.links.pause);
  link(LINK_LABELS.unsubscribe, model.links.unsubscribe);
  return `${lines.join('\n')}\n`;
}
