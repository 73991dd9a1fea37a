import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COLLEAGUES, ME, PEOPLE } from './cast.ts';
import { icsCalendar } from './ics-text.ts';
import { mboxEntry } from './mbox-text.ts';
import type { DemoEvent, DemoMessage, Person } from './model.ts';
import { nextWorkingMoment } from './zone.ts';

/**
 * The firm of `sinew demo --team` (DESIGN section 10): Alex Morgan (the single-person
 * demo's mailbox) and three colleagues at Northwind whose customers overlap Alex's, so
 * Alex's report finds warm paths: Sarah Jenkins still talks every week with Oliver Grant
 * (who went quiet on Alex), Mark Ellis meets Rebecca Stone (whom Alex never meets) and
 * works with Daniel Kim at Halcyon (Alex's single-threaded account), and Sam Lee knows
 * Acme Logistics and Lumen Retail. Deterministic: the same asOf gives the same bytes.
 */

/** How a colleague knows a contact: weekly mail and a monthly meeting, or mail every two weeks. */
type Tie = 'strong' | 'ok';

interface Colleague {
  person: Person;
  ties: Array<{ contact: Person; tie: Tie }>;
}

const SAM: Person = { name: 'Sam Lee', address: 'sam.lee@northwind-consulting.com', tz: ME.tz };
const DANIEL = PEOPLE.daniel;

const FIRM: Colleague[] = [
  { person: COLLEAGUES.sarah, ties: [{ contact: PEOPLE.oliver, tie: 'strong' }, { contact: PEOPLE.priya, tie: 'ok' }] },
  { person: COLLEAGUES.mark, ties: [{ contact: PEOPLE.rebecca, tie: 'strong' }, { contact: DANIEL, tie: 'ok' }] },
  { person: SAM, ties: [{ contact: PEOPLE.tom, tie: 'strong' }, { contact: PEOPLE.hannah, tie: 'ok' }, { contact: PEOPLE.oliver, tie: 'ok' }] },
];

/** One colleague's mailbox files, ready for `sinew import --mbox --ics --me`. */
export interface FirmMailbox {
  name: string;
  /** The colleague's address (pass as `--me`). */
  me: string;
  mboxPath: string;
  icsPath: string;
}

const DAY = 86_400_000;

/** The colleagues' mail and meetings over the 120 days before `asOf`. */
export function firmMailboxes(asOf: Date): Array<{ person: Person; messages: DemoMessage[]; events: DemoEvent[] }> {
  return FIRM.map(({ person, ties }) => {
    const messages: DemoMessage[] = [];
    const events: DemoEvent[] = [];
    for (const { contact, tie } of ties) {
      const step = tie === 'strong' ? 7 : 14;
      for (let days = 120, k = 0; days >= 4; days -= step, k++) {
        const day = new Date(asOf.getTime() - days * DAY);
        const out = nextWorkingMoment(day, person.tz, 10);
        const back = new Date(out.getTime() + (3 + (k % 4)) * 3_600_000);
        const id = `${person.address.split('@')[0]}.${contact.address.split('@')[0]}.${k}`.toLowerCase();
        const subject = `${tie === 'strong' ? 'Weekly' : 'Fortnightly'} check-in ${k + 1}`;
        const sent: DemoMessage = message(`${id}.out@northwind-consulting.com`, out, person, contact, subject, null, ['Sent']);
        messages.push(sent, message(`${id}.back@${contact.address.split('@')[1]!.toLowerCase()}`, back, contact, person, `Re: ${subject}`, sent.messageId, ['Inbox']));
        if (tie === 'strong' && k % 4 === 0) events.push(meeting(`${id}@northwind-consulting.com`, new Date(out.getTime() + DAY), person, contact));
      }
    }
    messages.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.messageId < b.messageId ? -1 : 1));
    return { person, messages, events };
  });
}

/** Writes each colleague's `mbox` and `ics` under `dir` and returns their paths. */
export async function writeFirmFiles(dir: string, asOf: Date): Promise<FirmMailbox[]> {
  await mkdir(dir, { recursive: true });
  const out: FirmMailbox[] = [];
  for (const { person, messages, events } of firmMailboxes(asOf)) {
    const base = person.address.split('@')[0]!;
    const mboxPath = join(dir, `${base}.mbox`);
    const icsPath = join(dir, `${base}.ics`);
    await writeFile(mboxPath, messages.map((m) => mboxEntry(m, person.address)).join(''), 'utf8');
    await writeFile(icsPath, icsCalendar(events, person.address, person.tz), 'utf8');
    out.push({ name: person.name, me: person.address, mboxPath, icsPath });
  }
  return out;
}

function message(messageId: string, at: Date, from: Person, to: Person, subject: string, inReplyTo: string | null, labels: string[]): DemoMessage {
  return {
    messageId, at, from, to: [to], cc: [], subject, inReplyTo, references: inReplyTo ? [inReplyTo] : [],
    gmThreadId: null, labels, extraHeaders: [], body: `${subject}: notes to follow.\n`,
  };
}

function meeting(uid: string, start: Date, organizer: Person, guest: Person): DemoEvent {
  return {
    uid, summary: `Catch-up: ${organizer.name} / ${guest.name}`, description: 'Monthly catch-up.', start, minutes: 30, tz: null, allDay: false,
    organizer, attendees: [{ ...organizer, partstat: 'ACCEPTED' }, { ...guest, partstat: 'ACCEPTED' }],
    status: 'CONFIRMED', weeklyCount: null, exdates: [], recurrenceId: null, sequence: 0,
  };
}
