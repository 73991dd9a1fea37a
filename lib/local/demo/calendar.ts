import type { DemoAttendee, DemoEvent, Occurrence, PartStat, Person } from './model.ts';
import { normalizeAddress } from '#lib/items/normalize.ts';
import { fromWallClock, wallClock } from '#lib/time/wall-clock.ts';

/**
 * Collects the demo calendar's events and, alongside, every occurrence they expand to
 * (series minus EXDATEs, with moved occurrences in place), so tests can reason about
 * meetings without parsing iCalendar.
 */

export interface MeetingSpec {
  uid: string;
  summary: string;
  start: Date;
  minutes: number;
  organizer: Person;
  /** Everyone but the organizer, with their answer. */
  attendees: Array<[Person, PartStat]>;
  /** Written with this TZID; omitted: written in UTC. */
  tz?: string;
  status?: DemoEvent['status'];
}

export class CalendarWriter {
  readonly events: DemoEvent[] = [];
  readonly occurrences: Occurrence[] = [];

  /** A single meeting. */
  meeting(spec: MeetingSpec): DemoEvent {
    const event = this.event(spec);
    this.events.push(event);
    this.occurrences.push(occurrence(event, event.start));
    return event;
  }

  /**
   * A weekly series of `count` occurrences, one of them cancelled (`EXDATE`) and one
   * moved to `movedTo` (a second VEVENT with `RECURRENCE-ID`).
   */
  weekly(spec: MeetingSpec, count: number, cancelledIndex: number, movedIndex: number, movedTo: Date): void {
    // A series keeps its wall-clock time across DST changes, as RRULE expansion does.
    const tz = spec.tz ?? 'UTC';
    const w = wallClock(spec.start, tz);
    const starts = Array.from({ length: count }, (_, i) => fromWallClock(tz, w.year, w.month, w.day + 7 * i, w.hour, w.minute, w.second));
    const series: DemoEvent = { ...this.event(spec), weeklyCount: count, exdates: [starts[cancelledIndex]!] };
    const moved: DemoEvent = {
      ...this.event({ ...spec, start: movedTo }),
      recurrenceId: starts[movedIndex]!,
      sequence: 1,
    };
    this.events.push(series, moved);
    starts.forEach((start, i) => {
      if (i === cancelledIndex) return;
      this.occurrences.push(i === movedIndex ? occurrence(moved, movedTo) : occurrence(series, start));
    });
  }

  /** An all-day entry with no one else (out of office): never a meeting with anyone. */
  allDay(uid: string, summary: string, day: Date, organizer: Person): void {
    const event = this.event({ uid, summary, start: day, minutes: 24 * 60, organizer, attendees: [] });
    event.allDay = true;
    this.events.push(event);
    this.occurrences.push(occurrence(event, event.start));
  }

  private event(spec: MeetingSpec): DemoEvent {
    const attendees: DemoAttendee[] = [
      { ...spec.organizer, partstat: 'ACCEPTED' },
      ...spec.attendees.map(([person, partstat]) => ({ ...person, partstat })),
    ];
    return {
      uid: spec.uid,
      summary: spec.summary,
      description: `${spec.summary}. Agenda: review of actions from last time, progress against the plan, risks and ` +
        'issues, decisions needed, next steps and owners. Dial-in details are in the invitation; ' +
        'please let the organizer know if you cannot attend.',
      start: spec.start,
      minutes: spec.minutes,
      tz: spec.tz ?? null,
      allDay: false,
      organizer: spec.organizer,
      attendees: spec.attendees.length === 0 ? [] : attendees,
      status: spec.status ?? 'CONFIRMED',
      weeklyCount: null,
      exdates: [],
      recurrenceId: null,
      sequence: 0,
    };
  }
}

function occurrence(event: DemoEvent, start: Date): Occurrence {
  return {
    uid: event.uid,
    start,
    minutes: event.minutes,
    cancelled: event.status === 'CANCELLED',
    organizer: normalizeAddress(event.organizer.address)!,
    attendees: event.attendees.map((a) => ({ address: normalizeAddress(a.address)!, partstat: a.partstat })),
  };
}
