/**
 * The state behind the Calendar emulator: one user's primary calendar with one-off
 * events, recurring series and their exceptions (moved or cancelled instances), a change
 * sequence number bumped on every edit, and the sync tokens that point into it.
 */
import type { Clock } from '#lib/time/clock.ts';
import { systemClock } from '#lib/time/clock.ts';
import { expandSeries } from './calendar-recurrence.ts';
import type { EventTime, Occurrence } from './calendar-recurrence.ts';

export type { EventTime } from './calendar-recurrence.ts';

/** An attendee as Google's Event resource carries it (`self` is derived from the owner). */
export interface AttendeeInput {
  email: string;
  displayName?: string;
  responseStatus?: 'needsAction' | 'declined' | 'tentative' | 'accepted';
  resource?: boolean;
  optional?: boolean;
}

/** An event as a test writes it: a one-off, or a series with `recurrence`. */
export interface EventInput {
  id: string;
  /** @default `${id}@google.com`, as Google assigns to events created in Calendar */
  iCalUID?: string;
  status?: 'confirmed' | 'tentative' | 'cancelled';
  /** Titles and descriptions live here so tests can prove they are never stored. */
  summary?: string;
  description?: string;
  location?: string;
  /** @default 'default' */
  eventType?: string;
  start: EventTime;
  end: EventTime;
  /** RRULE and EXDATE lines, e.g. `['RRULE:FREQ=WEEKLY;COUNT=10']`. */
  recurrence?: string[];
  /** @default the calendar owner */
  organizer?: { email: string; displayName?: string };
  attendees?: AttendeeInput[];
}

/** A change to an event; on an instance id it becomes (or amends) an exception. */
export type EventPatch = Partial<Omit<EventInput, 'id' | 'iCalUID' | 'recurrence'>> & { recurrence?: string[] };

/** Options of {@link CalendarState}. */
export interface CalendarStateOptions {
  /** The calendar owner: `self` on their attendee entry and organizer. @default me@example.com */
  owner?: string;
  clock?: Clock;
  /** Series without COUNT or UNTIL expand up to here (epoch ms). @default clock + 2 years */
  expandUntil?: number;
  /**
   * Deleted one-off events come back with only `id` and `status` (Google guarantees no
   * more). @default false: they keep their fields
   */
  minimalDeletions?: boolean;
}

/** One row of a listing: an event or an expanded instance, in wire form. */
export interface Row {
  id: string;
  /** The change sequence of its last edit (its series' or its own). */
  seq: number;
  startMs: number;
  endMs: number;
  cancelled: boolean;
  iCalUID: string | undefined;
  /** Text `q` searches. */
  text: string;
  updatedMs: number;
  body: Record<string, unknown>;
}

interface Stored {
  event: EventInput;
  seq: number;
  updatedMs: number;
}

interface Exception {
  seriesId: string;
  original: Occurrence;
  patch: EventPatch;
  seq: number;
  updatedMs: number;
}

/** A fault queued with {@link CalendarState.failNext}. */
export interface QueuedFault {
  status: number;
  reason: string;
  message: string;
  domain: string;
}

/**
 * One calendar and its change log. Every edit takes the next sequence number; a sync
 * token names the number it was issued at plus the token epoch, which
 * {@link expireSyncTokens} bumps to make every issued token answer 410.
 */
export class CalendarState {
  readonly owner: string;
  readonly clock: Clock;
  readonly minimalDeletions: boolean;
  /** Faults the handler answers before anything else, in order. */
  readonly faults: QueuedFault[] = [];
  private seqCounter = 0;
  private epoch = 1;
  private readonly expandUntil: number;
  private readonly events = new Map<string, Stored>();
  private readonly exceptions = new Map<string, Exception>();

  constructor(opts: CalendarStateOptions = {}) {
    this.owner = (opts.owner ?? 'me@example.com').toLowerCase();
    this.clock = opts.clock ?? systemClock;
    this.expandUntil = opts.expandUntil ?? this.clock.now() + 730 * 86_400_000;
    this.minimalDeletions = opts.minimalDeletions ?? false;
  }

  /** The sequence number of the last change. */
  get seq(): number {
    return this.seqCounter;
  }

  /** Adds a one-off event or a series. */
  addEvent(event: EventInput): void {
    if (this.events.has(event.id)) throw new Error(`event ${event.id} exists`);
    this.events.set(event.id, { event: structuredClone(event), seq: ++this.seqCounter, updatedMs: this.clock.now() });
  }

  /**
   * Edits an event, a whole series, or (given an instance id such as
   * `abc_20261123T090000Z`) one occurrence, which becomes an exception: moved when the
   * patch has a start, cancelled with `{ status: 'cancelled' }`. Shortening a series
   * cancels the occurrences it no longer has, as Google reports them.
   */
  updateEvent(id: string, patch: EventPatch): void {
    const stored = this.events.get(id);
    const now = this.clock.now();
    if (stored) {
      const before = stored.event.recurrence ? this.occurrences(stored.event) : [];
      stored.event = { ...stored.event, ...structuredClone(patch) };
      stored.seq = ++this.seqCounter;
      stored.updatedMs = now;
      if (patch.recurrence) {
        const kept = new Set(this.occurrences(stored.event).map((o) => o.id));
        for (const o of before) {
          if (kept.has(o.id)) continue;
          const ex = this.exceptions.get(o.id);
          this.exceptions.set(o.id, { seriesId: id, original: o, patch: { ...ex?.patch, status: 'cancelled' }, seq: ++this.seqCounter, updatedMs: now });
        }
      }
      return;
    }
    const seriesId = id.slice(0, id.lastIndexOf('_'));
    const series = this.events.get(seriesId)?.event;
    const original = series?.recurrence ? this.occurrences(series).find((o) => o.id === id) : undefined;
    const existing = this.exceptions.get(id);
    if (!original && !existing) throw new Error(`no event or instance ${id}`);
    this.exceptions.set(id, {
      seriesId,
      original: existing?.original ?? original!,
      patch: { ...existing?.patch, ...structuredClone(patch) },
      seq: ++this.seqCounter,
      updatedMs: now,
    });
  }

  /** Deletes an event, a series (all its instances) or one instance: status `cancelled`. */
  cancelEvent(id: string): void {
    this.updateEvent(id, { status: 'cancelled' });
  }

  /** Makes every sync token issued so far answer 410 (`fullSyncRequired`). */
  expireSyncTokens(): void {
    this.epoch++;
  }

  /** The next `count` requests fail with `status` and Google's error body for `reason`. */
  failNext(count: number, status: number, reason = status >= 500 ? 'backendError' : 'rateLimitExceeded', message?: string): void {
    const text = message ?? (status >= 500 ? 'Backend Error' : reason === 'rateLimitExceeded' ? 'Rate Limit Exceeded' : reason);
    const domain = reason === 'rateLimitExceeded' || reason === 'userRateLimitExceeded' ? 'usageLimits' : 'global';
    for (let i = 0; i < count; i++) this.faults.push({ status, reason, message: text, domain });
  }

  /** A sync token for the state as of sequence `seq`. */
  syncTokenAt(seq: number): string {
    return `CPDAlvWDx70C${Buffer.from(JSON.stringify({ e: this.epoch, s: seq })).toString('base64url')}`;
  }

  /** The sequence a sync token was issued at; `expired` for an older epoch, `invalid` for garbage. */
  readSyncToken(token: string): number | 'expired' | 'invalid' {
    try {
      const { e, s } = JSON.parse(Buffer.from(token.replace(/^CPDAlvWDx70C/, ''), 'base64url').toString('utf8')) as { e: unknown; s: unknown };
      if (typeof e !== 'number' || typeof s !== 'number') return 'invalid';
      return e === this.epoch ? s : 'expired';
    } catch {
      return 'invalid';
    }
  }

  /** Every row: expanded instances (`singleEvents=true`) or series plus exceptions. */
  rows(singleEvents: boolean): Row[] {
    const rows: Row[] = [];
    const emitted = new Set<string>();
    for (const [id, stored] of this.events) {
      const event = stored.event;
      if (!event.recurrence) {
        rows.push(this.row(id, event, stored.seq, stored.updatedMs, null));
        continue;
      }
      if (!singleEvents) rows.push(this.seriesRow(id, stored));
      for (const o of this.occurrences(event)) {
        const ex = this.exceptions.get(o.id);
        if (!singleEvents && !ex) continue;
        emitted.add(o.id);
        rows.push(this.instanceRow(stored, o, ex));
      }
    }
    // Exceptions whose occurrence the rule no longer makes (a shortened series).
    for (const [id, ex] of this.exceptions) {
      const stored = this.events.get(ex.seriesId);
      if (!emitted.has(id) && stored) rows.push(this.instanceRow(stored, ex.original, ex));
    }
    return rows;
  }

  private occurrences(event: EventInput): Occurrence[] {
    return expandSeries(event.id, event.start, event.end, event.recurrence!, this.expandUntil);
  }

  private instanceRow(series: Stored, o: Occurrence, ex: Exception | undefined): Row {
    const seq = Math.max(series.seq, ex?.seq ?? 0);
    const updatedMs = Math.max(series.updatedMs, ex?.updatedMs ?? 0);
    const event: EventInput = { ...series.event, ...ex?.patch, id: o.id, start: ex?.patch.start ?? o.start, end: ex?.patch.end ?? o.end };
    delete event.recurrence;
    if (series.event.status === 'cancelled') event.status = 'cancelled';
    return this.row(o.id, event, seq, updatedMs, { seriesId: series.event.id, original: o });
  }

  private seriesRow(id: string, stored: Stored): Row {
    const row = this.row(id, stored.event, stored.seq, stored.updatedMs, null);
    const all = this.occurrences(stored.event);
    row.endMs = all.length > 0 ? Date.parse(all[all.length - 1]!.end.dateTime ?? `${all[all.length - 1]!.end.date}T00:00:00Z`) : row.endMs;
    return row;
  }

  private row(id: string, event: EventInput, seq: number, updatedMs: number, instance: { seriesId: string; original: Occurrence } | null): Row {
    const cancelled = event.status === 'cancelled';
    const startMs = instance && cancelled ? instance.original.startMs : timeMs(event.start);
    const endMs = instance && cancelled ? startMs : timeMs(event.end);
    const iCalUID = event.iCalUID ?? `${instance?.seriesId ?? event.id}@google.com`;
    const base = { kind: 'calendar#event', etag: `"${seq}"`, id };
    let body: Record<string, unknown>;
    if (cancelled && (instance || this.minimalDeletions)) {
      // Google guarantees only id, recurringEventId and originalStartTime on a cancelled instance.
      body = instance
        ? { ...base, status: 'cancelled', recurringEventId: instance.seriesId, originalStartTime: instance.original.start }
        : { ...base, status: 'cancelled' };
    } else {
      const organizer = event.organizer ?? { email: this.owner };
      body = {
        ...base,
        status: event.status ?? 'confirmed',
        htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(id).toString('base64url')}`,
        created: new Date(updatedMs).toISOString(),
        updated: new Date(updatedMs).toISOString(),
        summary: event.summary,
        description: event.description,
        location: event.location,
        creator: { email: organizer.email, self: organizer.email.toLowerCase() === this.owner || undefined },
        organizer: { ...organizer, self: organizer.email.toLowerCase() === this.owner || undefined },
        start: event.start,
        end: event.end,
        recurrence: instance ? undefined : event.recurrence,
        recurringEventId: instance?.seriesId,
        originalStartTime: instance?.original.start,
        iCalUID,
        sequence: 0,
        attendees: event.attendees?.map((a) => ({
          ...a,
          responseStatus: a.responseStatus ?? 'needsAction',
          self: a.email.toLowerCase() === this.owner || undefined,
          organizer: a.email.toLowerCase() === organizer.email.toLowerCase() || undefined,
        })),
        reminders: { useDefault: true },
        eventType: event.eventType ?? 'default',
      };
    }
    const text = [event.summary, event.description, event.location, ...(event.attendees ?? []).map((a) => `${a.email} ${a.displayName ?? ''}`)].join(' ');
    return { id, seq, startMs, endMs, cancelled, iCalUID, text, updatedMs, body: JSON.parse(JSON.stringify(body)) as Record<string, unknown> };
  }
}

function timeMs(time: EventTime): number {
  return time.dateTime ? Date.parse(time.dateTime) : Date.parse(`${time.date}T00:00:00Z`);
}
