import { round2 } from './stats.ts';

/** What the health score looks at for one contact (window figures unless noted). */
export interface ScoreInput {
  /** Days since the last interaction (held history). */
  silenceDays: number;
  /** Days between the first and the last interaction (held history): how long. */
  spanDays: number;
  /** Interactions per week in the window. */
  frequency: number;
  meetings: number;
  meetingMinutes: number;
  reciprocity: number | null;
  /**
   * Median reply latencies in hours, mine to them and theirs to me; `'unanswered'` when
   * that side was written to in the window and never answered; null when it had nothing
   * to answer (the other side never wrote in the window).
   */
  replyMine: ReplyInput;
  replyTheirs: ReplyInput;
}

/** One direction's responsiveness as the score reads it (see {@link ScoreInput}). */
export type ReplyInput = number | 'unanswered' | null;

/**
 * Weights of the four sinews (they sum to 1):
 * - time 0.35: recency 0.25 (`0.5 ^ (silenceDays / 30)`, halving every 30 silent days)
 *   and age 0.10 (`1 - 0.5 ^ (spanDays / 90)`, half-way after 3 months of history);
 * - intensity 0.35: frequency 0.25 (`f / (f + 1)`, one interaction a week scores 0.5)
 *   and face-time 0.10 (`x / (x + 2)` with `x = meetings + meetingMinutes / 60`, so
 *   one one-hour meeting scores 0.5);
 * - reciprocity 0.15: the reciprocity itself (0 one-sided, 1 balanced); a window with
 *   meetings only (reciprocity null) counts as neutral, 0.5;
 * - responsiveness 0.15, the trust proxy: the mean of both directions' `24 / (24 + h)`
 *   (a one-day median reply scores 0.5). A side written to and never answered scores 0,
 *   the limit of ever slower replies, so a contact who never answers can never outscore
 *   one who answers late (DESIGN section 4); a side with nothing to answer (never
 *   written to in the window) counts as neutral, 0.5.
 * Every term is non-decreasing in "better" (more recent, longer, more frequent, more
 * face-time, more balanced, faster, answered rather than not), so the sum is monotone;
 * rounding to an integer keeps that. test/health/score-definitions.test.ts pins each
 * constant with examples computed by hand.
 */
export const SCORE_WEIGHTS = {
  recency: 0.25,
  age: 0.1,
  frequency: 0.25,
  faceTime: 0.1,
  reciprocity: 0.15,
  responsiveness: 0.15,
} as const;

const RECENCY_HALF_LIFE_DAYS = 30;
const AGE_HALF_DAYS = 90;
const FREQUENCY_HALF_PER_WEEK = 1;
const FACE_TIME_HALF = 2;
const REPLY_HALF_HOURS = 24;
const NEUTRAL = 0.5;

/** The health score, an integer from 0 to 100 (weights above). */
export function healthScore(s: ScoreInput): number {
  const recency = Math.pow(0.5, Math.max(0, s.silenceDays) / RECENCY_HALF_LIFE_DAYS);
  const age = 1 - Math.pow(0.5, Math.max(0, s.spanDays) / AGE_HALF_DAYS);
  const frequency = s.frequency / (s.frequency + FREQUENCY_HALF_PER_WEEK);
  const x = s.meetings + s.meetingMinutes / 60;
  const faceTime = x / (x + FACE_TIME_HALF);
  const reciprocity = s.reciprocity ?? NEUTRAL;
  const responsiveness = (replyTerm(s.replyMine) + replyTerm(s.replyTheirs)) / 2;
  const w = SCORE_WEIGHTS;
  const total =
    w.recency * recency +
    w.age * age +
    w.frequency * frequency +
    w.faceTime * faceTime +
    w.reciprocity * reciprocity +
    w.responsiveness * responsiveness;
  // round2 first absorbs floating noise so x.5 boundaries round the same way everywhere.
  return Math.min(100, Math.max(0, Math.round(round2(100 * total))));
}

function replyTerm(reply: ReplyInput): number {
  if (reply === null) return NEUTRAL;
  if (reply === 'unanswered') return 0;
  return REPLY_HALF_HOURS / (REPLY_HALF_HOURS + Math.max(0, reply));
}
