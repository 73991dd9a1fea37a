import { MEETING, SENT, TO_ME, TRASHED, type Columns } from './columns.ts';
import { median, round2 } from './stats.ts';
import { DAY_MS, type Horizons } from './windows.ts';

/**
 * Everything one pass over a contact's interactions (held history, time order) can
 * count: the report's per-contact numbers (DESIGN section 4) and the inputs of the
 * trend, the score and the flags. Instants are epoch ms; -1 means "none".
 */
export interface ContactMetrics {
  address: string;
  /** Interactions in the held history. */
  held: number;
  firstAt: number;
  lastAt: number;
  /** Window counts. */
  sent: number;
  received: number;
  meetings: number;
  meetingMinutes: number;
  inWindow: number;
  /** Interactions per week in the window, unrounded. */
  frequency: number;
  /** Median gap between distinct UTC interaction days in the year before asOf. */
  cadenceDays: number | null;
  /** `min(sent, received) / max(sent, received)` in the window; null when both are 0. */
  reciprocity: number | null;
  /** Year before asOf: interactions, distinct UTC days, messages each way. */
  yearCount: number;
  yearDays: number;
  yearSent: number;
  yearReceived: number;
  /** Trend counts: last 30 days, and days 31 to 120. */
  recentCount: number;
  baselineCount: number;
  /** Last meeting in the held history (-1 if none). */
  lastMeetingAt: number;
  /** Messages (sent + received) in the last 90 days: the "email intensity" of noFaceTime. */
  recentMessages: number;
  /** Owed replies: received instants that qualify (see `measureContact`). */
  owedAt: number[];
  /** Awaiting reply: outbound of the last 30 days after the last inbound or meeting. */
  awaitingCount: number;
  awaitingFirstAt: number;
}

/**
 * Measures contact `k` of the columns (its positions are in time order, all within the
 * held history and not after `asOf`). `gaps` is working space for the cadence, at least
 * as long as the contact's range (one buffer serves every contact).
 *
 * Owed replies: an inbound message with Me in To, not trashed, received in
 * `[asOf - 14 days, asOf - 48 hours]` (both ends included), after at least one outbound
 * message to the contact, and with no outbound message or meeting strictly after it.
 */
export function measureContact(
  cols: Columns,
  k: number,
  h: Horizons,
  gaps: Float64Array = new Float64Array(cols.offsets[k + 1]! - cols.offsets[k]!),
): ContactMetrics {
  const { at: atOf, kind: kindOf, flags, minutes } = cols;
  const start = cols.offsets[k]!;
  const end = cols.offsets[k + 1]!;
  let sent = 0, received = 0, meetings = 0, meetingMinutes = 0, inWindow = 0;
  let yearCount = 0, yearSent = 0, yearReceived = 0, recentCount = 0, baselineCount = 0;
  let recentMessages = 0, lastMeetingAt = -1;
  let firstSentAt = -1, lastSentOrMeetingAt = -1;
  let awaitingCount = 0, awaitingFirstAt = -1;
  let prevDay = Number.NaN;
  let gapCount = 0;
  let yearDays = 0;
  const owedCandidates: number[] = [];

  for (let p = start; p < end; p++) {
    const i = p;
    const at = atOf[i]!;
    const kind = kindOf[i]!;
    if (at > h.windowStart) {
      inWindow++;
      if (kind === SENT) sent++;
      else if (kind === MEETING) {
        meetings++;
        meetingMinutes += minutes[i]!;
      } else received++;
    }
    if (at > h.yearStart) {
      yearCount++;
      if (kind === SENT) yearSent++;
      else if (kind !== MEETING) yearReceived++;
      const day = Math.floor(at / DAY_MS);
      if (day !== prevDay) {
        if (yearDays > 0) gaps[gapCount++] = day - prevDay;
        prevDay = day;
        yearDays++;
      }
    }
    if (at > h.recentStart) recentCount++;
    else if (at > h.baselineStart) baselineCount++;
    if (kind === MEETING) {
      lastMeetingAt = at;
      lastSentOrMeetingAt = at;
      awaitingCount = 0;
    } else if (kind === SENT) {
      if (firstSentAt < 0) firstSentAt = at;
      lastSentOrMeetingAt = at;
      if (at > h.awaitingStart) {
        if (awaitingCount === 0) awaitingFirstAt = at;
        awaitingCount++;
      }
      if (at > h.faceTimeStart) recentMessages++;
    } else {
      awaitingCount = 0;
      if (at > h.faceTimeStart) recentMessages++;
      if (at >= h.owedOldest && at <= h.owedNewest && (flags[i]! & (TO_ME | TRASHED)) === TO_ME && firstSentAt >= 0 && firstSentAt < at) {
        owedCandidates.push(at);
      }
    }
  }

  const first = atOf[start]!;
  const last = atOf[end - 1]!;
  const windowWeeks = h.windowDays / 7;
  return {
    address: cols.contacts[k]!,
    held: end - start,
    firstAt: first,
    lastAt: last,
    sent,
    received,
    meetings,
    meetingMinutes,
    inWindow,
    frequency: inWindow / windowWeeks,
    // Fewer than 3 distinct days give fewer than 2 gaps: too little to call a rhythm.
    cadenceDays: yearDays >= 3 ? round2(median(gaps, gapCount)!) : null,
    reciprocity: sent === 0 && received === 0 ? null : Math.min(sent, received) / Math.max(sent, received),
    yearCount,
    yearDays,
    yearSent,
    yearReceived,
    recentCount,
    baselineCount,
    lastMeetingAt,
    recentMessages,
    // "No outbound and no meeting after it": nothing of ours later than the message.
    owedAt: owedCandidates.filter((at) => lastSentOrMeetingAt <= at),
    awaitingCount,
    awaitingFirstAt,
  };
}

/**
 * "Established" (DESIGN section 4): at least 6 interactions, meetings included, on at
 * least 3 distinct days in the 365 days before asOf, with at least one sent and one
 * received message among them.
 */
export function isEstablished(m: ContactMetrics): boolean {
  return m.yearCount >= 6 && m.yearDays >= 3 && m.yearSent >= 1 && m.yearReceived >= 1;
}

/**
 * An *active* relationship (DESIGN section 5): in the window, at least one message each
 * way, or a meeting. One-way traffic (a notice never answered, a pitch never returned) is
 * not a relationship: the email's picture leaves it out, though the JSON's `contacts`
 * keep it with its numbers.
 */
export function isActiveRelationship(c: { sent: number; received: number; meetings: number }): boolean {
  return (c.sent > 0 && c.received > 0) || c.meetings > 0;
}
