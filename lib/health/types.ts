/**
 * Health of each relationship at `asOf` (DESIGN section 4). These shapes are part of the
 * public JSON report (DESIGN section 5): change them only with the map.
 */

export type Trend = 'warming' | 'steady' | 'cooling';
export type Initiative = 'mutual' | 'you-chase' | 'they-chase';

export interface ContactHealth {
  address: string;
  name: string | null;
  sent: number;
  received: number;
  meetings: number;
  meetingMinutes: number;
  /** ISO 8601 UTC over the held history. */
  firstInteraction: string;
  lastInteraction: string;
  /** Interactions per week in the window, 2 decimals. */
  frequency: number;
  /** Median gap in days between distinct UTC interaction days in the 365 days before asOf. */
  cadenceDays: number | null;
  reciprocity: number | null;
  replyHours: { mine: number | null; theirs: number | null };
  health: number;
  trend: Trend;
  initiative: Initiative;
}

export interface FadingFlag {
  address: string;
  lastInteraction: string;
  cadenceDays: number | null;
  silenceDays: number;
  /**
   * ISO 8601 UTC of the last meeting with the contact that started before asOf, over the
   * held history (not only the window); null when none is on record.
   */
  lastMeeting: string | null;
}

export interface OwedReplyFlag {
  address: string;
  receivedAt: string;
  waitingDays: number;
}

export interface AwaitingReplyFlag {
  address: string;
  firstSentAt: string;
  unansweredCount: number;
}

export interface NoFaceTimeFlag {
  address: string;
  lastMeeting: string | null;
}

export interface AccountHealth {
  domain: string;
  activeContacts: number;
  health: number;
  singleThreaded: boolean;
}

export interface HealthResult {
  contacts: ContactHealth[];
  fading: FadingFlag[];
  owedReplies: OwedReplyFlag[];
  awaitingReply: AwaitingReplyFlag[];
  noFaceTime: NoFaceTimeFlag[];
  accounts: AccountHealth[];
}
