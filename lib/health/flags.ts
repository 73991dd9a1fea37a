import type { AwaitingReplyFlag, FadingFlag, NoFaceTimeFlag, OwedReplyFlag } from './types.ts';
import type { FeedbackInForce } from './feedback.ts';
import { isEstablished, type ContactMetrics } from './metrics.ts';
import { DAY_MS, type Horizons } from './windows.ts';

/**
 * Fading thresholds (DESIGN section 4): silent for more than `max(2 x cadenceDays, 21)`
 * days; a contact marked "this is fine" gets `max(3 x cadenceDays, 42)`.
 */
export const FADING_CADENCE_FACTOR = 2;
export const FADING_MIN_DAYS = 21;
export const FINE_CADENCE_FACTOR = 3;
export const FINE_MIN_DAYS = 42;

export interface Flags {
  fading: FadingFlag[];
  owedReplies: OwedReplyFlag[];
  awaitingReply: AwaitingReplyFlag[];
  noFaceTime: NoFaceTimeFlag[];
}

/**
 * The four flag lists over every contact of the held history (a fading contact is often
 * silent for longer than the window, so it is not among the report's contacts).
 *
 * - fading: established, whole days of silence (`floor((asOf - last) / 1 day)`, the
 *   `silenceDays` shown) above the threshold, no upcoming meeting. Ranked by prior
 *   strength: interactions in the year before asOf, then distinct days, then address.
 *   Carries the last meeting over the held history, so the report can cite it.
 * - owedReplies: the qualifying messages `measureContact` found, one row each, oldest
 *   first (ties by address); `waitingDays` is whole days since receipt.
 * - awaitingReply: 2 or more unanswered outbound messages in the last 30 days; most
 *   unanswered first, then oldest first, then address.
 * - noFaceTime: established, no meeting in the last 90 days; ranked by messages in the
 *   last 90 days, then address.
 * Muted and snoozed contacts appear in none of them.
 */
export function computeFlags(
  all: readonly ContactMetrics[],
  upcoming: ReadonlySet<string>,
  feedback: FeedbackInForce,
  h: Horizons,
): Flags {
  const fading: { flag: FadingFlag; m: ContactMetrics }[] = [];
  const owed: OwedReplyFlag[] = [];
  const awaiting: AwaitingReplyFlag[] = [];
  const noFace: { flag: NoFaceTimeFlag; m: ContactMetrics }[] = [];

  for (const m of all) {
    if (feedback.silenced.has(m.address)) continue;
    const established = isEstablished(m);
    if (established && !upcoming.has(m.address) && m.cadenceDays !== null) {
      const silenceDays = Math.floor((h.asOf - m.lastAt) / DAY_MS);
      const fine = feedback.fine.has(m.address);
      const threshold = fine
        ? Math.max(FINE_CADENCE_FACTOR * m.cadenceDays, FINE_MIN_DAYS)
        : Math.max(FADING_CADENCE_FACTOR * m.cadenceDays, FADING_MIN_DAYS);
      if (silenceDays > threshold) {
        fading.push({
          m,
          flag: {
            address: m.address,
            lastInteraction: iso(m.lastAt),
            cadenceDays: m.cadenceDays,
            silenceDays,
            lastMeeting: lastMeetingOf(m),
          },
        });
      }
    }
    for (const at of m.owedAt) {
      owed.push({ address: m.address, receivedAt: iso(at), waitingDays: Math.floor((h.asOf - at) / DAY_MS) });
    }
    if (m.awaitingCount >= 2) {
      awaiting.push({ address: m.address, firstSentAt: iso(m.awaitingFirstAt), unansweredCount: m.awaitingCount });
    }
    if (established && m.lastMeetingAt <= h.faceTimeStart) {
      noFace.push({ m, flag: { address: m.address, lastMeeting: lastMeetingOf(m) } });
    }
  }

  fading.sort((a, b) => b.m.yearCount - a.m.yearCount || b.m.yearDays - a.m.yearDays || byAddress(a.m, b.m));
  // ISO strings of one format compare like the instants they name.
  owed.sort((a, b) => compare(a.receivedAt, b.receivedAt) || compare(a.address, b.address));
  awaiting.sort(
    (a, b) => b.unansweredCount - a.unansweredCount || compare(a.firstSentAt, b.firstSentAt) || compare(a.address, b.address),
  );
  noFace.sort((a, b) => b.m.recentMessages - a.m.recentMessages || byAddress(a.m, b.m));
  return {
    fading: fading.map((x) => x.flag),
    owedReplies: owed,
    awaitingReply: awaiting,
    noFaceTime: noFace.map((x) => x.flag),
  };
}

/**
 * The contact's last meeting as the flags state it. `measureContact` already tracks it in
 * its one pass over the contact's held range (which ends at asOf), so it costs nothing.
 */
function lastMeetingOf(m: ContactMetrics): string | null {
  return m.lastMeetingAt < 0 ? null : iso(m.lastMeetingAt);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byAddress(a: ContactMetrics, b: ContactMetrics): number {
  return compare(a.address, b.address);
}
