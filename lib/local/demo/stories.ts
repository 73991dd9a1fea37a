import { COLLEAGUES, ME, ME_ALIAS, PEOPLE } from './cast.ts';
import type { CalendarWriter } from './calendar.ts';
import type { MailWriter } from './conversation.ts';
import type { DemoMessage, PartStat, Person } from './model.ts';
import type { Random } from '#lib/random.ts';
import { dayBefore, localTimeOn } from './zone.ts';

/**
 * The relationships of the demo year, one story per contact (see cast.ts). Days are
 * counted back from asOf, so any asOf gives the same stories; weekend days fall back to
 * the Friday before. Margins keep each story clear of its rule's edges (e.g. an owed
 * reply sits 4 to 9 days back, well inside "between 14 days and 48 hours").
 */

export interface StoryContext {
  rng: Random;
  mail: MailWriter;
  cal: CalendarWriter;
  asOf: Date;
}

const P = PEOPLE;

/** Thread sizes shaped like real mail: two messages most often, long threads rarer. */
function turns(rng: Random): number {
  return rng.pick([2, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6]);
}

export function writeStories(ctx: StoryContext): void {
  const { rng, mail, cal } = ctx;
  const at = (daysAgo: number, tz: string, hours = rng.between(8.6, 17.4)): Date =>
    localTimeOn(dayBefore(ctx.asOf, daysAgo), tz, hours);
  const uid = (): string => `${rng.token(26)}@google.com`;
  const meetingHour = (): number => rng.pick([9, 10, 11, 14, 15, 16]);

  /**
   * Regular exchanges every `every` ± `jitter` days between two day offsets, counted
   * back from the latest (`toD`) so each story's last exchange falls where it says.
   */
  const cadence = (contact: Person, fromD: number, toD: number, every: number, jitter: number,
    opts: { cc?: Person; ccChance?: number; aliasChance?: number; size?: () => number } = {}): void => {
    for (let d = toD; d <= fromD; d += Math.max(1, every + rng.int(-jitter, jitter))) {
      const initiator = rng.chance(0.5) ? 'me' : 'them';
      mail.thread({
        contact,
        start: at(d, initiator === 'me' ? ME.tz : contact.tz),
        initiator,
        turns: opts.size ? opts.size() : turns(rng),
        cc: opts.cc && rng.chance(opts.ccChance ?? 0) ? [opts.cc] : [],
        alias: rng.chance(opts.aliasChance ?? 0),
      });
    }
  };

  /** Meetings every `every` ± `jitter` days, organized by the user, the latest at `toD`. */
  const meetings = (summary: string, people: Person[], fromD: number, toD: number, every: number, jitter: number): void => {
    for (let d = toD; d <= fromD; d += every + rng.int(-jitter, jitter)) {
      cal.meeting({
        uid: uid(), summary, start: at(d, ME.tz, meetingHour()), minutes: rng.pick([30, 45, 60]),
        organizer: ME, attendees: people.map((p): [Person, PartStat] => [p, rng.pick(['ACCEPTED', 'ACCEPTED', 'TENTATIVE'] as const)]),
      });
    }
  };

  // Acme Logistics, healthy: weekly mail both ways, monthly meetings, then a weekly
  // status call (organized from New York) with one week cancelled and one moved.
  cadence(P.priya, 360, 3, 7, 2, { cc: COLLEAGUES.mark, ccChance: 0.25, aliasChance: 0.2 });
  cadence(P.tom, 300, 5, 14, 4);
  meetings('Acme planning', [P.priya, P.tom], 350, 190, 30, 4);
  const firstTuesday = dayBefore(ctx.asOf, 180);
  firstTuesday.setUTCDate(firstTuesday.getUTCDate() - ((firstTuesday.getUTCDay() + 5) % 7));
  const seriesStart = localTimeOn(firstTuesday, P.priya.tz, 10);
  const movedIndex = 22;
  cal.weekly({
    uid: uid(), summary: 'Acme weekly status', start: seriesStart, minutes: 45, tz: P.priya.tz,
    organizer: P.priya, attendees: [[ME, 'ACCEPTED'], [P.tom, 'ACCEPTED'], [COLLEAGUES.mark, 'ACCEPTED']],
  }, 30, 10, movedIndex, new Date(seriesStart.getTime() + (movedIndex * 7 + 1) * 86_400_000 + 90 * 60_000));

  // Halcyon Health, single-threaded: Maria is healthy; Daniel and Grace left months ago
  // after too little contact to count as established.
  cadence(P.maria, 340, 3, 7, 3, { aliasChance: 0.2 });
  meetings('Halcyon monthly review', [P.maria], 330, 8, 28, 3);
  mail.thread({ contact: P.daniel, start: at(240, P.daniel.tz), initiator: 'them', turns: 2 });
  mail.thread({ contact: P.daniel, start: at(226, ME.tz), initiator: 'me', turns: 2 });
  cal.meeting({ uid: uid(), summary: 'Data platform workshop', start: at(270, ME.tz, 14), minutes: 90, organizer: P.grace,
    tz: P.grace.tz, attendees: [[ME, 'ACCEPTED'], [P.maria, 'ACCEPTED']] });
  mail.thread({ contact: P.grace, start: at(268, ME.tz), initiator: 'me', turns: 2 });

  // Brightwater Capital: Oliver was steady (weekly mail, monthly meetings) and has been
  // silent for about eight weeks; his one meeting since was cancelled.
  cadence(P.oliver, 330, 58, 7, 2);
  meetings('Brightwater catch-up', [P.oliver], 325, 62, 30, 4);
  cal.meeting({ uid: uid(), summary: 'Brightwater catch-up', start: at(20, ME.tz, 11), minutes: 45, organizer: P.oliver,
    attendees: [[ME, 'ACCEPTED']], status: 'CANCELLED' });
  cadence(P.chloe, 300, 25, 30, 6);
  meetings('Brightwater reporting', [P.chloe], 40, 40, 1, 0);
  mail.thread({ contact: P.chloe, start: at(6, P.chloe.tz), initiator: 'them', turns: 1, subject: 'Quarter-end figures' });

  // Kestrel: Sofia is as silent as Oliver, but a meeting is booked for next week, so she
  // is not fading. Lukas copies the user on a message to a colleague (not owed).
  cadence(P.sofia, 330, 50, 10, 3);
  meetings('Kestrel review', [P.sofia], 320, 100, 45, 5);
  cal.meeting({ uid: uid(), summary: 'Kestrel review', start: at(55, P.sofia.tz, 15), minutes: 60, organizer: P.sofia,
    tz: P.sofia.tz, attendees: [[ME, 'ACCEPTED'], [P.lukas, 'ACCEPTED']] });
  cal.meeting({ uid: uid(), summary: 'Kestrel 2027 planning', start: at(-8, P.sofia.tz, 14), minutes: 60, organizer: P.sofia,
    tz: P.sofia.tz, attendees: [[ME, 'ACCEPTED'], [P.lukas, 'NEEDS-ACTION']] });
  cadence(P.lukas, 320, 25, 21, 5);
  mail.add({ at: at(4, P.lukas.tz), from: P.lukas, to: [P.jonas], cc: [ME], subject: 'Tooling order',
    labels: ['Inbox', 'Opened'], extraHeaders: [], body: 'Hi Jonas,\n\nplease place the tooling order this week.\n\nLukas' });

  // Lumen Retail, one-sided: Hannah answered early on; three recent messages are
  // unanswered but for an out-of-office auto-reply (which must not count).
  for (const d of [240, 210, 180, 150, 120]) mail.thread({ contact: P.hannah, start: at(d, ME.tz), initiator: 'me', turns: 2 });
  cal.meeting({ uid: uid(), summary: 'Lumen store rollout', start: at(100, ME.tz, 10), minutes: 60, organizer: ME,
    attendees: [[P.hannah, 'ACCEPTED']] });
  let chased: DemoMessage | undefined;
  for (const d of [75, 26, 15, 6]) [chased] = mail.thread({ contact: P.hannah, start: at(d, ME.tz), initiator: 'me', turns: 1 });
  mail.add({
    at: new Date(chased!.at.getTime() + 2 * 60_000), from: P.hannah, to: [ME], cc: [],
    subject: `Automatic reply: ${chased!.subject}`, inReplyTo: chased!.messageId, references: [chased!.messageId],
    labels: ['Inbox', 'Opened'], extraHeaders: [['Auto-Submitted', 'auto-replied'], ['X-Auto-Response-Suppress', 'All']],
    body: 'Thank you for your message. I am out of the office with limited access to email.\n\nHannah',
  });

  // Ridgeline: Ethan rarely answers (two unanswered this month; he also declined Ava's
  // meeting, which must not count); Ava is a healthy fortnightly contact.
  for (let d = 300, i = 0; d >= 45; d -= 30 + rng.int(-5, 5), i++) {
    mail.thread({ contact: P.ethan, start: at(d, ME.tz), initiator: 'me', turns: i % 3 === 0 ? 2 : 1 });
  }
  cal.meeting({ uid: uid(), summary: 'Ridgeline intro', start: at(200, P.ethan.tz, 10), minutes: 30, organizer: P.ethan,
    tz: P.ethan.tz, attendees: [[ME, 'ACCEPTED']] });
  for (const d of [20, 9]) mail.thread({ contact: P.ethan, start: at(d, ME.tz), initiator: 'me', turns: 1 });
  cadence(P.ava, 330, 4, 14, 4);
  meetings('Ridgeline sync', [P.ava], 320, 60, 42, 5);
  cal.meeting({ uid: uid(), summary: 'Ridgeline sync', start: at(15, P.ava.tz, 9), minutes: 30, organizer: P.ava,
    tz: P.ava.tz, attendees: [[ME, 'ACCEPTED'], [P.ethan, 'DECLINED']] });

  // Orbital Analytics, warming: introduced three weeks ago, three meetings since.
  mail.thread({ contact: P.nadia, start: at(21, P.nadia.tz), initiator: 'them', turns: 3, subject: 'Introduction' });
  const nadiaThreads: Array<[number, 'me' | 'them']> = [[16, 'me'], [12, 'them'], [8, 'me'], [4, 'them'], [2, 'me']];
  for (const [d, initiator] of nadiaThreads) {
    mail.thread({ contact: P.nadia, start: at(d, initiator === 'me' ? ME.tz : P.nadia.tz), initiator, turns: 2,
      cc: d === 16 || d === 8 ? [P.ben] : [] });
  }
  for (const d of [17, 10, 3, -4]) {
    cal.meeting({ uid: uid(), summary: 'Orbital analytics pilot', start: at(d, ME.tz, meetingHour()), minutes: 60,
      organizer: ME, attendees: d === 17 ? [[P.nadia, 'ACCEPTED']] : [[P.nadia, 'ACCEPTED'], [P.ben, 'ACCEPTED']] });
  }

  // Vantage Legal: James answered the user's question last week; the user owes a reply.
  cadence(P.james, 330, 45, 30, 8, { size: () => rng.pick([2, 3]) });
  cal.meeting({ uid: uid(), summary: 'Contract review', start: at(80, ME.tz, 11), minutes: 60, organizer: P.james,
    attendees: [[ME, 'ACCEPTED']] });
  const [question] = mail.thread({ contact: P.james, start: at(12, ME.tz), initiator: 'me', turns: 1, subject: 'Engagement letter' });
  mail.reply(question!, P.james, at(5, P.james.tz));

  // Sterling & Pike: two or three exchanges a week, no meeting since the summer (one
  // declined), so no face-time.
  cadence(P.rebecca, 360, 2, 3, 1);
  for (const d of [330, 250, 170, 130]) {
    cal.meeting({ uid: uid(), summary: 'Sterling & Pike quarterly', start: at(d, P.rebecca.tz, 11), minutes: 60,
      organizer: P.rebecca, tz: P.rebecca.tz, attendees: [[ME, 'ACCEPTED']] });
  }
  cal.meeting({ uid: uid(), summary: 'Sterling & Pike quarterly', start: at(30, P.rebecca.tz, 11), minutes: 60,
    organizer: P.rebecca, tz: P.rebecca.tz, attendees: [[ME, 'DECLINED']] });

  // John Doe writes from three spellings of one gmail.com mailbox; his latest, to which
  // the user owes a reply, comes from a +tag address.
  const [logo] = mail.thread({ contact: P.johnGooglemail, start: at(150, ME.tz), initiator: 'me', turns: 1, subject: 'Logo drafts' });
  mail.reply(logo!, P.johnDotted, at(149, P.johnDotted.tz), { to: ME });
  mail.thread({ contact: P.johnDotted, start: at(120, P.johnDotted.tz), initiator: 'them', turns: 2 });
  mail.thread({ contact: P.johnGooglemail, start: at(90, ME.tz), initiator: 'me', turns: 2 });
  mail.thread({ contact: P.johnDotted, start: at(60, ME.tz), initiator: 'me', turns: 3 });
  const [brief] = mail.thread({ contact: P.johnGooglemail, start: at(20, ME.tz), initiator: 'me', turns: 1, subject: 'Brand refresh brief' });
  mail.reply(brief!, P.johnTagged, at(8, P.johnTagged.tz), { to: ME_ALIAS, bare: true });

  // Emma, a healthy freelance contact; one exchange was deleted afterwards (Trash).
  cadence(P.emma, 350, 6, 18, 5, { aliasChance: 0.3 });
  meetings('Coffee', [P.emma], 200, 200, 1, 0);
  meetings('Design review', [P.emma], 60, 60, 1, 0);
  mail.thread({ contact: P.emma, start: at(40, P.emma.tz), initiator: 'them', turns: 2, trashed: true });

  // Colleagues: internal, excluded from the report.
  cadence(COLLEAGUES.sarah, 360, 2, 7, 2);
  cadence(COLLEAGUES.mark, 360, 2, 10, 3);

  // A meeting too large to be a relationship (12 attendees > maxAttendees 10): it must not
  // give Rebecca face-time or break Oliver's silence.
  cal.meeting({ uid: uid(), summary: 'Northwind client forum', start: at(35, ME.tz, 16), minutes: 90,
    organizer: COLLEAGUES.sarah, attendees: [ME, COLLEAGUES.mark, P.rebecca, P.oliver, P.priya, P.maria, P.ava,
      P.tom, P.james, P.emma, P.chloe].map((p): [Person, PartStat] => [p, 'ACCEPTED']) });
  cal.allDay(uid(), 'Out of office', dayBefore(ctx.asOf, 45), ME);
}
