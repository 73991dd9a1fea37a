import type { VirtualClock } from '#test/support/virtual-clock.ts';
import { CalendarState } from './calendar-state.ts';

/** One accepted one-hour meeting of me@example.com with `contact`, `daysAgo` before asOf. */
export interface FixtureMeeting {
  id: string;
  daysAgo: number;
  hour: number;
  contact: string;
  /** Weekly occurrences from the first one (a recurring series), else a single meeting. */
  weekly?: number;
}

/**
 * The calendar the sync tests serve: me@example.com's meetings, placed relative to the
 * report's asOf so the report sees them in its window.
 */
export function calendarFixture(clock: VirtualClock, asOf: number, meetings: readonly FixtureMeeting[]): CalendarState {
  const cal = new CalendarState({ owner: 'me@example.com', clock });
  const at = (days: number, hour: number) => ({ dateTime: new Date(asOf - days * 86_400_000 + hour * 3_600_000).toISOString() });
  for (const m of meetings) {
    cal.addEvent({
      id: m.id,
      start: at(m.daysAgo, m.hour),
      end: at(m.daysAgo, m.hour + 1),
      ...(m.weekly ? { recurrence: [`RRULE:FREQ=WEEKLY;COUNT=${m.weekly}`] } : {}),
      attendees: [{ email: 'me@example.com', responseStatus: 'accepted' }, { email: m.contact, responseStatus: 'accepted' }],
    });
  }
  return cal;
}

/** A weekly series with c1 over 20 weeks from 120 days back: the sync tests' calendar. */
export const WEEKLY_WITH_C1: FixtureMeeting = { id: 'weekly1', daysAgo: 120, hour: 9, contact: 'c1@partner1.example', weekly: 20 };
