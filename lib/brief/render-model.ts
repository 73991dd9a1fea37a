import type { BriefAttendee, BriefJson, BriefMeeting } from './schema.ts';
import type { BriefLinks } from '#lib/links/brief-links.ts';
import { DateWords, displayName, listNames, organizationLabel, organizationOf, stripControl } from '#lib/report/phrasing.ts';
import { mailboxLine, type MailboxInput } from '#lib/report/model.ts';
import { notesLinkLabel } from '#lib/report/wording.ts';
import { personLabels } from '#lib/report/person-name.ts';
import { fromWallClock } from '#lib/time/wall-clock.ts';
import { accountLine, attendeeSentences, cannotReadBrief, staleBrief } from './render-words.ts';

/**
 * What the brief email shows (DESIGN section 9), computed once from the brief's JSON so
 * the HTML and text parts say the same thing: the day's meetings in time order, named by
 * their local time and attendees (subjects are never stored), one block per attendee
 * with their numbers in words, the account line per organization, notes newest first,
 * colleagues when the team view is on, and how current each mailbox is.
 */

export interface BriefRenderOptions {
  /** Signed links (notes, answers, briefs off, pause, unsubscribe); none locally. */
  links?: BriefLinks;
  /** The mailboxes behind the brief, with their sync freshness (lib/sync/freshness.ts). */
  mailboxes?: MailboxInput[];
}

export interface AttendeeView {
  address: string;
  /** In full with organization or address: "Ann Lee (Acme)". */
  label: string;
  known: boolean;
  sentences: string[];
  /** Newest first; `text` is the note as stored (escape it wherever it is shown). */
  notes: { when: string; text: string }[];
  /** "Sam Lee (strong tie, last in touch 3 Nov)". */
  colleagues: string[];
  /** What the colleagues line calls the attendee. */
  first: string;
  /** `noteLabel` names the notes link: "Notes" when there are some, else "Add a note". */
  links: { note?: string; noteLabel: string; fine?: string; mute?: string };
}

export interface MeetingView {
  /** "09:00–09:30", local. */
  time: string;
  /** "With Ann Lee (Acme) and Raj Patel (Globex)". */
  withLine: string;
  attendees: AttendeeView[];
  /** One line per organization in the meeting. */
  accounts: string[];
}

export interface BriefModel {
  user: string;
  date: string;
  timeZone: string;
  /** "Tuesday 24 Nov 2026". */
  dayLabel: string;
  subject: string;
  preview: string;
  meetings: MeetingView[];
  /** Mailboxes that need reconnecting or keep failing: said at the top. */
  notices: string[];
  /** One line per mailbox: when it was last synced. */
  mailboxes: string[];
  links: BriefLinks;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const TIER: Record<'strong' | 'ok' | 'weak', string> = { strong: 'strong tie', ok: 'good tie', weak: 'weak tie' };

/** Builds the view of one brief. */
export function buildBriefModel(json: BriefJson, options: BriefRenderOptions = {}): BriefModel {
  const [year, month, day] = json.date.split('-').map(Number) as [number, number, number];
  // Relative dates ("since Friday") count back from the brief's day, whatever its hour.
  const noon = fromWallClock(json.timeZone, year, month, day, 12, 0, 0);
  const dates = new DateWords(noon, json.timeZone);
  const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: json.timeZone });
  const everyone = json.meetings.flatMap((m) => m.attendees);
  const labels = personLabels(everyone.map((a) => ({ address: a.address, name: a.name })));
  const labelOf = (a: BriefAttendee): string => clean(labels.get(a.address) ?? a.address);
  const links = options.links ?? {};

  // Someone in two meetings of the day is described once, at the first; later meetings point back.
  const firstShownAt = new Map<string, string>();
  const meetings = [...json.meetings]
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start))
    .map((m): MeetingView => {
      const start = clock.format(new Date(m.start));
      const end = clock.format(new Date(m.end));
      const attendees = m.attendees.map((a) => {
        const view = attendeeView(a, m, labelOf(a), dates, links);
        const shownAt = firstShownAt.get(a.address);
        if (shownAt === undefined) {
          firstShownAt.set(a.address, start);
          return view;
        }
        return { ...view, sentences: [`${view.label}: see ${shownAt} above.`], notes: [], colleagues: [] };
      });
      return {
        time: m.end === m.start ? start : `${start}–${end}`,
        withLine: `With ${listNames(m.attendees.map(labelOf), m.attendees.length)}`,
        attendees,
        accounts: m.accounts.map((a) => accountLine(a, dates)).filter((l): l is string => l !== null),
      };
    });

  const mailboxes = options.mailboxes
    ? options.mailboxes.map((m) => mailboxLine(m, dates).line)
    : json.lastSynced.map((s) => `${s.account}: ${s.at ? `last synced ${dates.dateTime(s.at)}` : 'not synced yet'}`);
  const notices = (options.mailboxes ?? []).flatMap((m) => {
    const f = m.freshness;
    if (f.state === 'needs-reconnect') return [cannotReadBrief(m.address)];
    if (f.state === 'stale') return [staleBrief(m.address, dates.dateTime(f.lastSyncAt ?? f.failingSince ?? noon))];
    return [];
  });

  return {
    user: json.user,
    date: json.date,
    timeZone: json.timeZone,
    dayLabel: `${WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()]} ${dates.fullDate(noon)}`,
    subject: subjectOf(meetings, json.meetings, labelOf),
    preview: meetings[0] ? `First at ${meetings[0].time.split('–')[0]}. ${meetings[0].withLine}.` : 'No meetings with people outside your organization.',
    meetings,
    notices,
    mailboxes,
    links,
  };
}

function attendeeView(a: BriefAttendee, m: BriefMeeting, label: string, dates: DateWords, links: BriefLinks): AttendeeView {
  const first = clean(displayName(a.address, a.name));
  const account = m.accounts.find((x) => x.domain === a.domain);
  const notes = [...a.notes]
    .sort((x, y) => Date.parse(y.at) - Date.parse(x.at))
    .map((n) => ({ when: dates.date(n.at), text: n.text }));
  const colleagues = a.colleagues.map((c) => `${clean(c.name)} (${TIER[c.tier]}, last in touch ${dates.date(`${c.lastInteraction}T12:00:00.000Z`)})`);
  const make = links.contactAction;
  return {
    address: a.address,
    label,
    known: a.known,
    sentences: attendeeSentences(a, { label, first }, dates, account),
    notes,
    colleagues,
    first,
    links: {
      noteLabel: notesLinkLabel(a.notes.length > 0),
      ...(links.note ? { note: links.note(a.address) } : {}),
      // "Fine" and "mute" answer flags; a first-met person has none yet.
      ...(make && a.known ? { fine: make(a.address, 'fine'), mute: make(a.address, 'mute') } : {}),
    },
  };
}

/**
 * "Your meetings today: 3 with Acme, Globex", "Your meeting today: 09:00 with Acme":
 * organizations by name, a person on public webmail by their label.
 */
function subjectOf(views: MeetingView[], meetings: readonly BriefMeeting[], labelOf: (a: BriefAttendee) => string): string {
  if (views.length === 0) return 'No meetings with people outside your organization today';
  const who: string[] = [];
  const sorted = [...meetings].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  for (const a of sorted.flatMap((m) => m.attendees)) {
    const org = organizationOf(a.address);
    const name = org === null ? labelOf(a) : organizationLabel(org);
    if (!who.includes(name)) who.push(name);
  }
  const shown = who.length > 3 ? `${who.slice(0, 3).join(', ')} and ${who.length - 3} more` : who.join(', ');
  const subject = views.length === 1
    ? `Your meeting today: ${views[0]!.time.split('–')[0]} with ${shown}`
    : `Your meetings today: ${views.length} with ${shown}`;
  // A header must be one line, whatever a display name held.
  return clean(subject);
}

/** One line of text: no control characters, no runs of white space. */
function clean(text: string): string {
  return stripControl(text).replace(/\s+/g, ' ').trim();
}
