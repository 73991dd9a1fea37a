import ICAL from 'ical.js';
import { FormatError } from '#lib/errors.ts';
import { normalizeAddress, shortHash } from '#lib/items/normalize.ts';
import type { MeetingItem } from '#lib/items/types.ts';
import { badDateIn, type JCalComponent } from './ics-dates.ts';
import { IcsScanner, type IcsBounds, type ScannedComponent } from './ics-scanner.ts';
import {
  exceptionItem, expandSeries, singleItem, TOO_FREQUENT, tooFrequent, uidOf, type CalEvent, type Component, type Expansion,
  type ExpansionLimits,
} from './ics-series.ts';
import { formatBytes, MB, type OnSkip } from './skips.ts';

/**
 * How one calendar file is read (ics.ts streams the file through it): a first pass plans
 * each VCALENDAR (METHOD, time zones, overrides, which may come after their series), a
 * second expands each event with ical.js, within the bounds of {@link IcsLimits}.
 */

/** Every bound of one calendar file's import; past one, what is left out is reported. */
export interface IcsLimits extends ExpansionLimits, IcsBounds {
  /** Decompressed bytes read of one file; the rest is not read. */
  maxCalendarBytes: number;
  /** Bytes of overrides (RECURRENCE-ID events) and time zones held while reading. */
  maxHeldBytes: number;
}

/**
 * Bounds no real calendar comes near: a daily series has about 490 occurrences in the
 * window, 200 of them make 98,000; a step of ical.js costs some 20 to 40 µs.
 */
export const DEFAULT_ICS_LIMITS: IcsLimits = {
  maxOccurrences: 2000,
  maxSeriesSteps: 100_000,
  maxFileOccurrences: 200_000,
  maxFileSteps: 1_000_000,
  maxLineBytes: 1 * MB,
  maxEventBytes: 4 * MB,
  maxCalendarBytes: 256 * MB,
  maxHeldBytes: 64 * MB,
};

/** Options of {@link streamIcs}. */
export interface IcsOptions {
  /** The calendar's account id, stamped on every item. */
  accountId: string;
  /** Recurring series are expanded up to this instant (occurrence start), not beyond. */
  expandUntil: Date;
  /**
   * Occurrences of a recurring series that end before this instant are left out, and
   * iteration starts near it: the history the metrics read (see `importWindow`).
   * @default no lower bound
   */
  expandFrom?: Date;
  /**
   * The calendar owner's addresses. An event without ORGANIZER (a personal entry in a
   * Google Takeout export) is organized by the owner: the first address is used.
   */
  owner?: string[];
  /** At most this many occurrences per series. @default 2000 */
  maxOccurrences?: number;
  /** Other bounds. @default DEFAULT_ICS_LIMITS */
  limits?: Partial<IcsLimits>;
  /** Called for each event left out (and for a file cut short), with the reason and the UID. */
  onSkip?: OnSkip;
}

/** The bounds in force: the defaults, then the options'. */
export function limitsOf(opts: IcsOptions): IcsLimits {
  return { ...DEFAULT_ICS_LIMITS, ...(opts.maxOccurrences ? { maxOccurrences: opts.maxOccurrences } : {}), ...opts.limits };
}

/** What the first reading of a file learns about one VCALENDAR. */
interface CalendarPlan {
  method: string;
  timezones: ScannedComponent[];
  /** Overrides (RECURRENCE-ID events) by UID, to join their series when it comes. */
  overrides: Map<string, ScannedComponent[]>;
}

/** The second reading's view of one VCALENDAR. */
interface OpenCalendar {
  plan: CalendarPlan;
  /** A VCALENDAR holding only the time zones: each event is attached to it while read. */
  root: Component;
  /** UIDs whose series (or single event) came: their overrides are theirs. */
  related: Set<string>;
}

/** One file's reading: the plan of the first pass, then expansion in the second. */
export class IcsReader {
  readonly limits: IcsLimits;
  private readonly expansion: Expansion;
  private readonly plans = new Map<number, CalendarPlan>();
  private held = 0;
  private components = 0;
  private firstStrayLine: number | null = null;
  private readonly open = new Map<number, OpenCalendar>();
  private readonly queue: Array<ScannedComponent | { end: number }> = [];

  constructor(
    private readonly file: string,
    private readonly opts: IcsOptions,
  ) {
    this.limits = limitsOf(opts);
    this.expansion = {
      accountId: opts.accountId,
      owner: (opts.owner ?? []).map((a) => normalizeAddress(a)).find((a) => a !== null) ?? null,
      from: opts.expandFrom?.getTime() ?? Number.NEGATIVE_INFINITY,
      until: opts.expandUntil.getTime(),
      limits: this.limits,
      occurrencesLeft: this.limits.maxFileOccurrences,
      stepsLeft: this.limits.maxFileSteps,
    };
  }

  /** The first reading: METHOD, time zones and overrides of each VCALENDAR. */
  planScanner(): IcsScanner {
    return new IcsScanner(this.limits, {
      component: (c) => {
        this.components++;
        const plan = this.planOf(c.calendar);
        if (c.name === 'VTIMEZONE') {
          if (!c.problem && this.hold(c)) plan.timezones.push(c);
        } else if (c.isOverride) {
          const uid = groupUid(c);
          const held = this.hold(c) ? c : { ...c, text: '', problem: `over the ${formatBytes(this.limits.maxHeldBytes)} of moved occurrences a calendar may hold` };
          plan.overrides.set(uid, [...(plan.overrides.get(uid) ?? []), held]);
        }
      },
      calendarProperty: (calendar, name, value) => {
        if (name === 'METHOD') this.planOf(calendar).method = value.trim().toUpperCase();
      },
      strayLine: (line) => {
        this.firstStrayLine ??= line;
      },
    });
  }

  /** A file with no component but lines that are not iCalendar is not a calendar. */
  checkPlan(): void {
    if (this.components === 0 && this.firstStrayLine !== null) {
      throw new FormatError(`not a valid iCalendar file: line ${this.firstStrayLine} is not a content line`, this.file);
    }
  }

  /** The second reading: components queue up for {@link drain}. */
  expandScanner(): IcsScanner {
    return new IcsScanner(this.limits, {
      component: (c) => this.queue.push(c),
      calendarEnd: (calendar) => this.queue.push({ end: calendar }),
    });
  }

  /** The occurrences of what the second reading queued so far. */
  *drain(): Generator<MeetingItem> {
    for (const entry of this.queue) {
      if ('end' in entry) yield* this.endCalendar(entry.end);
      else if (entry.name === 'VEVENT' && !entry.isOverride) yield* this.master(entry);
    }
    this.queue.length = 0;
  }

  private planOf(calendar: number): CalendarPlan {
    let plan = this.plans.get(calendar);
    if (!plan) {
      plan = { method: '', timezones: [], overrides: new Map() };
      this.plans.set(calendar, plan);
    }
    return plan;
  }

  private hold(c: ScannedComponent): boolean {
    this.held += c.text.length;
    return this.held <= this.limits.maxHeldBytes;
  }

  private calendarOf(calendar: number): OpenCalendar {
    let open = this.open.get(calendar);
    if (!open) {
      const plan = this.planOf(calendar);
      const zones: JCalComponent[] = [];
      for (const tz of plan.timezones) {
        // A time zone that does not parse is left out: its events fall back to IANA data.
        try {
          const jcal = ICAL.parse(tz.text) as unknown as JCalComponent;
          if (Array.isArray(jcal) && jcal[0] === 'vtimezone') zones.push(jcal);
        } catch {
          continue;
        }
      }
      open = { plan, root: new ICAL.Component(['vcalendar', [], zones]), related: new Set() };
      this.open.set(calendar, open);
    }
    return open;
  }

  /** One series or single event, with its overrides. */
  private *master(c: ScannedComponent): Generator<MeetingItem> {
    const cal = this.calendarOf(c.calendar);
    const vevent = this.parse(c);
    if (!vevent) return;
    const uid = uidOf(vevent);
    if (!vevent.hasProperty('dtstart')) {
      this.skip(`event ${uid}: no DTSTART`, 'no start', uid);
      return;
    }
    const own = cal.related.has(uid) ? [] : (cal.plan.overrides.get(uid) ?? []);
    cal.related.add(uid);
    const attached: Component[] = [vevent];
    cal.root.addSubcomponent(vevent);
    let items: MeetingItem[];
    try {
      const exceptions: CalEvent[] = [];
      for (const o of own) {
        const override = this.parse(o, uid);
        if (!override) continue;
        cal.root.addSubcomponent(override);
        attached.push(override);
        exceptions.push(new ICAL.Event(override));
      }
      // Exceptions are passed explicitly: ical.js would otherwise relate every
      // RECURRENCE-ID event of the calendar, whatever its UID.
      const event = new ICAL.Event(vevent, { exceptions, strictExceptions: true });
      const cancelAll = cal.plan.method === 'CANCEL';
      if (event.isRecurring()) {
        const freq = tooFrequent(event);
        if (freq) {
          this.skip(`event ${uid}: FREQ=${freq}`, TOO_FREQUENT, uid);
          items = [];
          return;
        }
        const series = expandSeries(event, uid, exceptions, this.expansion, cancelAll);
        items = series.items;
        if (series.refused) this.skip(`event ${uid}: occurrences less than an hour apart`, series.refused, uid);
        if (series.cut) this.skip(`event ${uid}: ${series.cut}`, series.cut, uid);
      } else {
        items = [singleItem(this.expansion, cancelAll, uid, event)];
      }
    } catch (err) {
      this.skip(`event ${uid}: ${(err as Error).message}`, 'unreadable', uid);
      items = [];
    } finally {
      for (const a of attached) cal.root.removeSubcomponent(a);
    }
    yield* items;
  }

  /** Overrides whose series is not in the file (an invitation to one occurrence). */
  private *endCalendar(calendar: number): Generator<MeetingItem> {
    const cal = this.calendarOf(calendar);
    const cancelAll = cal.plan.method === 'CANCEL';
    for (const [uid, list] of cal.plan.overrides) {
      if (cal.related.has(uid)) continue;
      for (const o of list) {
        const vevent = this.parse(o);
        if (!vevent) continue;
        cal.root.addSubcomponent(vevent);
        try {
          yield exceptionItem(this.expansion, cancelAll, uidOf(vevent), new ICAL.Event(vevent));
        } catch (err) {
          this.skip(`event ${uidOf(vevent)}: ${(err as Error).message}`, 'unreadable', uidOf(vevent));
        } finally {
          cal.root.removeSubcomponent(vevent);
        }
      }
    }
    this.open.delete(calendar);
  }

  /** Parses and checks one event; null (the skip told) when it cannot be read. */
  private parse(c: ScannedComponent, uidHint?: string): Component | null {
    const uid = uidHint ?? c.uid ?? `nouid-${shortHash(c.text)}`;
    if (c.problem) {
      this.skip(`event ${uid}: ${c.problem}`, c.problem.replace(/:.*/, ''), uid);
      return null;
    }
    let jcal: JCalComponent;
    try {
      jcal = ICAL.parse(c.text) as unknown as JCalComponent;
    } catch (err) {
      this.skip(`event ${uid}: ${(err as Error).message}`, 'unreadable', uid);
      return null;
    }
    if (!Array.isArray(jcal) || jcal[0] !== 'vevent') {
      this.skip(`event ${uid}: not one VEVENT`, 'unreadable', uid);
      return null;
    }
    const bad = badDateIn(jcal);
    if (bad) {
      this.skip(`event ${uid}: bad ${bad}`, 'bad dates', uid);
      return null;
    }
    return new ICAL.Component(jcal);
  }

  private skip(detail: string, reason: string, id: string): void {
    this.opts.onSkip?.(detail, { kind: 'event', reason, id });
  }
}

/** The UID overrides are grouped by: as ical.js reads it (TEXT escapes undone). */
function groupUid(c: ScannedComponent): string {
  if (c.uid === null) return `nouid-${shortHash(c.text)}`;
  return c.uid.replace(/\\([\\;,nN])/g, (_, ch: string) => (ch === 'n' || ch === 'N' ? '\n' : ch));
}
