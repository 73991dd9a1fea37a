/**
 * The Graph v1.0 calendarView delta endpoint (`/v1.0/me/calendarView/delta`) over an
 * in-memory calendar of single events and daily/weekly series with exceptions, as Graph
 * answers it: instances (occurrences and exceptions, never series masters) overlapping the
 * window; pages sized by `Prefer: odata.maxpagesize`; `@odata.nextLink` with a `$skiptoken`
 * and `@odata.deltaLink` with a `$deltatoken`, both absolute https URLs whose opaque tokens
 * encode the window; changes since a delta token (updated instances whole, deleted ones as
 * `{ id, "@removed": { reason: "deleted" } }`); 410 `syncStateNotFound` for an expired
 * token; 400 for `$select`, which calendarView delta refuses.
 *
 * Every instance's `iCalUId` is the hex of an Exchange global object id, different per
 * occurrence as in Graph, wrapping the series' external UID after `vCal-Uid` when one was
 * given (a meeting that came from Google or an .ics file).
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { MsHandler } from './loopback-https.ts';
import { sendJsonBody } from './loopback-https.ts';

/** An attendee as the emulator stores it. */
export interface FakeAttendee {
  address: string;
  name?: string;
  /** Graph `responseType`. @default 'none' */
  response?: 'none' | 'organizer' | 'tentativelyAccepted' | 'accepted' | 'declined' | 'notResponded';
  /** @default 'required' */
  type?: 'required' | 'optional' | 'resource';
}

/** A change to one occurrence of a series: moved, re-attended, cancelled or deleted. */
export interface OccurrencePatch {
  start?: string;
  end?: string;
  attendees?: FakeAttendee[];
  isCancelled?: boolean;
  deleted?: boolean;
}

/** A single event, or a series repeating every `everyDays` days `count` times. */
export interface FakeEventSpec {
  /** External iCalendar UID; without it the event is Outlook-native. */
  uid?: string;
  start: string;
  end: string;
  isAllDay?: boolean;
  organizer: string;
  isOrganizer?: boolean;
  attendees?: FakeAttendee[];
  recurrence?: { everyDays: number; count: number };
  subject?: string;
}

interface FakeInstance {
  id: string;
  seriesId: string;
  type: 'singleInstance' | 'occurrence' | 'exception';
  originalStart: number | null;
  start: number;
  end: number;
  attendees: FakeAttendee[];
  isCancelled: boolean;
  deleted: boolean;
  /** The change counter when this instance last changed. */
  version: number;
}

interface FakeSeries {
  id: string;
  spec: FakeEventSpec;
  goidData: Buffer;
}

interface DeltaToken {
  /** Window, epoch ms. */
  s: number;
  e: number;
  /** Changes after this counter (null: a full pass, all live instances). */
  since: number | null;
  /** The counter when the round started, which the round's deltaLink will carry. */
  upTo: number;
  offset: number;
  gen: number;
}

/** Options of {@link GraphCalendar}. */
export interface GraphCalendarOptions {
  /** Maps a bearer token to its mailbox; undefined refuses it with 401. Omit to trust the server's own check. */
  authenticate?: (token: string) => string | undefined;
}

/** The calendar of one mailbox and its handler. */
export class GraphCalendar {
  private readonly series = new Map<string, FakeSeries>();
  private readonly instances = new Map<string, FakeInstance>();
  private counter = 0;
  private generation = 0;
  /** Delta requests answered, in order (path and query). */
  readonly deltaRequests: string[] = [];

  constructor(private readonly opts: GraphCalendarOptions = {}) {}

  /** Adds an event or series; returns the series id (a single event's id). */
  add(spec: FakeEventSpec): string {
    const id = graphId('series', spec.uid ?? `${spec.start}|${this.series.size}`);
    const goidData = spec.uid
      ? Buffer.concat([Buffer.from('vCal-Uid\x01\x00\x00\x00', 'latin1'), Buffer.from(`${spec.uid}\0`, 'utf8')])
      : createHash('sha256').update(id).digest().subarray(0, 16);
    this.series.set(id, { id, spec, goidData });
    const start = Date.parse(spec.start);
    const duration = Date.parse(spec.end) - start;
    const n = spec.recurrence?.count ?? 1;
    this.counter++;
    for (let k = 0; k < n; k++) {
      const at = start + k * (spec.recurrence?.everyDays ?? 0) * 86_400_000;
      const instanceId = spec.recurrence ? graphId('occurrence', `${id}|${at}`) : id;
      this.instances.set(instanceId, {
        id: instanceId,
        seriesId: id,
        type: spec.recurrence ? 'occurrence' : 'singleInstance',
        originalStart: spec.recurrence ? at : null,
        start: at,
        end: at + duration,
        attendees: spec.attendees ?? [],
        isCancelled: false,
        deleted: false,
        version: this.counter,
      });
    }
    return id;
  }

  /** The instance id of a series' occurrence by its original start (or the event's own id). */
  instanceId(seriesId: string, originalStart?: string): string {
    return originalStart === undefined ? seriesId : graphId('occurrence', `${seriesId}|${Date.parse(originalStart)}`);
  }

  /** Changes one instance (an occurrence becomes an exception); bumps the change counter. */
  patch(instanceId: string, patch: OccurrencePatch): void {
    const instance = this.instances.get(instanceId);
    if (!instance) throw new Error(`no instance ${instanceId}`);
    this.counter++;
    if (patch.start) instance.start = Date.parse(patch.start);
    if (patch.end) instance.end = Date.parse(patch.end);
    if (patch.attendees) instance.attendees = patch.attendees;
    if (patch.isCancelled !== undefined) instance.isCancelled = patch.isCancelled;
    if (patch.deleted) instance.deleted = true;
    if (instance.type === 'occurrence' && (patch.start || patch.end || patch.attendees)) instance.type = 'exception';
    instance.version = this.counter;
  }

  /** Invalidates every state token issued so far: the next request with one answers 410. */
  expireTokens(): void {
    this.generation++;
  }

  /**
   * Serves `/v1.0/me/calendarView/delta`. Behind server.ts the server has checked the token
   * and passes the origin and Prefer header in `ctx` (also for `$batch` parts); on its own
   * (loopback-https.ts) the handler checks the token with `authenticate`.
   */
  readonly handler: MsHandler = async (req, res, url, ctx) => {
    if (url.pathname !== '/v1.0/me/calendarView/delta') return false;
    const c = (ctx ?? {}) as Partial<{ user: string | null; origin: string; prefer: string }>;
    if (c.user === undefined && this.opts.authenticate) {
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ') || this.opts.authenticate(auth.slice(7)) === undefined) {
        graphError(res, 401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.');
        return true;
      }
    }
    this.deltaRequests.push(`${url.pathname}${url.search}`);
    // Several Prefer headers or one comma-separated list mean the same (RFC 7240).
    const prefer = c.prefer ?? [req.headers.prefer ?? []].flat().join(', ');
    this.serve(res, url, c.origin ?? `https://${req.headers.host ?? '127.0.0.1'}`, prefer);
    return true;
  };

  private serve(res: ServerResponse, url: URL, origin: string, prefer: string): void {
    const q = url.searchParams;
    if ([...q.keys()].some((k) => k.toLowerCase() === '$select')) {
      graphError(res, 400, 'ErrorInvalidUrlQuery', "The following parameters are not supported with change tracking over the 'CalendarView' resource: '$select'.");
      return;
    }
    const raw = q.get('$skiptoken') ?? q.get('$deltatoken');
    let token: DeltaToken;
    if (raw !== null) {
      const parsed = decodeToken(raw);
      if (!parsed || parsed.gen !== this.generation) {
        graphError(res, 410, 'syncStateNotFound', 'The sync state generation is not found. Please resync.');
        return;
      }
      token = q.has('$deltatoken') ? { ...parsed, since: parsed.upTo, upTo: this.counter, offset: 0 } : parsed;
    } else {
      const s = Date.parse(q.get('startDateTime') ?? '');
      const e = Date.parse(q.get('endDateTime') ?? '');
      if (Number.isNaN(s) || Number.isNaN(e)) {
        graphError(res, 400, 'ErrorInvalidParameter', 'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.');
        return;
      }
      token = { s, e, since: null, upTo: this.counter, offset: 0, gen: this.generation };
    }
    const pageSize = maxPageSize(prefer) ?? 10;
    const matching = [...this.instances.values()]
      .filter((i) => i.start < token.e && i.end > token.s)
      .filter((i) => (token.since === null ? !i.deleted : i.version > token.since && i.version <= token.upTo))
      .sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1));
    const page = matching.slice(token.offset, token.offset + pageSize);
    const body: Record<string, unknown> = {
      '@odata.context': `${origin}/v1.0/$metadata#Collection(event)`,
      value: page.map((i) => (i.deleted ? { '@odata.type': '#microsoft.graph.event', id: i.id, '@removed': { reason: 'deleted' } } : this.render(i))),
    };
    if (token.offset + pageSize < matching.length) {
      body['@odata.nextLink'] = `${origin}/v1.0/me/calendarView/delta?$skiptoken=${encodeToken({ ...token, offset: token.offset + pageSize })}`;
    } else {
      body['@odata.deltaLink'] = `${origin}/v1.0/me/calendarView/delta?$deltatoken=${encodeToken({ ...token, offset: 0 })}`;
    }
    const timezone = /outlook\.timezone="([^"]+)"/.exec(prefer)?.[1];
    sendJsonBody(res, 200, body, timezone ? { 'preference-applied': `outlook.timezone="${timezone}"` } : {});
  }

  private render(i: FakeInstance): Record<string, unknown> {
    const series = this.series.get(i.seriesId)!;
    const spec = series.spec;
    const when = (ms: number) => ({ dateTime: new Date(ms).toISOString().replace(/\.\d{3}Z$/, '.0000000'), timeZone: 'UTC' });
    return {
      '@odata.type': '#microsoft.graph.event',
      '@odata.etag': `W/"${i.version}"`,
      id: i.id,
      iCalUId: goidHex(series.goidData, i.originalStart),
      type: i.type,
      ...(i.type === 'singleInstance' ? {} : { seriesMasterId: series.id, originalStart: new Date(i.originalStart!).toISOString(), originalStartTimeZone: 'UTC' }),
      subject: spec.subject ?? 'Quarterly numbers (confidential)',
      bodyPreview: 'Agenda: the secret plan',
      isAllDay: spec.isAllDay ?? false,
      isCancelled: i.isCancelled,
      isOrganizer: spec.isOrganizer ?? false,
      showAs: 'busy',
      start: when(i.start),
      end: when(i.end),
      location: { displayName: 'Room 4' },
      organizer: { emailAddress: { name: spec.organizer.split('@')[0], address: spec.organizer } },
      attendees: i.attendees.map((a) => ({
        type: a.type ?? 'required',
        status: { response: a.response ?? 'none', time: '0001-01-01T00:00:00Z' },
        emailAddress: { name: a.name ?? a.address.split('@')[0], address: a.address },
      })),
    };
  }
}

/**
 * An Exchange global object id ([MS-OXOCAL] 2.2.1.27) as hex: the class id, the instance
 * date (zero for a single event), a creation time, the data size and the data.
 */
export function goidHex(data: Buffer, instanceStart: number | null): string {
  const head = Buffer.alloc(40);
  Buffer.from('040000008200E00074C5B7101A82E008', 'hex').copy(head, 0);
  if (instanceStart !== null) {
    const d = new Date(instanceStart);
    head.writeUInt16BE(d.getUTCFullYear(), 16);
    head.writeUInt8(d.getUTCMonth() + 1, 18);
    head.writeUInt8(d.getUTCDate(), 19);
  }
  head.writeBigUInt64LE(133_000_000_000_000_000n, 20);
  head.writeUInt32LE(data.length, 36);
  return Buffer.concat([head, data]).toString('hex').toUpperCase();
}

function graphError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJsonBody(res, status, { error: { code, message, innerError: { date: '2026-11-23T07:00:00', 'request-id': 'emulator' } } });
}

function maxPageSize(prefer: string): number | undefined {
  const m = /odata\.maxpagesize=(\d+)/i.exec(prefer);
  return m ? Number(m[1]) : undefined;
}

function graphId(kind: string, seed: string): string {
  return `AAMkAG${createHash('sha256').update(`${kind}|${seed}`).digest('base64url').slice(0, 40)}=`;
}

function encodeToken(t: DeltaToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(raw: string): DeltaToken | undefined {
  try {
    return JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as DeltaToken;
  } catch {
    return undefined;
  }
}
