import { Random } from '#lib/random.ts';

/**
 * The simulated firm: one person per mailbox, every mailbox connected within the first
 * hour after the admin turns Sinew on (the worst case for a backfill: everyone at once).
 *
 * Mailbox sizes are messages inside the 400-day window, log-normal with a median of
 * 20,000 and σ = 0.9: mean about 30,000, 1% above 163,000, capped at 500,000 (the long
 * tail a firm's heaviest correspondents reach) and floored at 100. New mail arrives at
 * the same daily rate as the window's (size / 400 per day: 50 a day at the median).
 * Calendars: 1,200 occurrences in the window and 3 new a day for everyone.
 */
export const SIZE_MEDIAN = 20_000;
export const SIZE_SIGMA = 0.9;
export const SIZE_MAX = 500_000;
export const SIZE_MIN = 100;
export const MEETINGS = 1200;
export const NEW_MEETINGS_PER_DAY = 3;
export const HISTORY_DAYS = 400;

export interface Mailbox {
  index: number;
  userId: string;
  accountId: string;
  provider: 'google' | 'microsoft';
  /** Messages in the 400-day window when the sync starts. */
  messages: number;
  /** New messages a day. */
  perDay: number;
  meetings: number;
  /** When the person connected (epoch ms). */
  connectedAt: number;
  timeZone: string;
}

export interface FleetShape {
  size: number;
  provider: 'google' | 'microsoft';
  seed: number;
  start: number;
  /** Connections spread uniformly over this window. @default 1 hour */
  connectWindowMs?: number;
  /** Scale every mailbox down (the item-level calibration uses small mailboxes). @default 1 */
  sizeScale?: number;
  timeZone: string;
}

/** The fleet, the same for the same shape and seed. */
export function makeFleet(shape: FleetShape): Mailbox[] {
  const random = new Random(shape.seed);
  const window = shape.connectWindowMs ?? 3_600_000;
  const scale = shape.sizeScale ?? 1;
  const fleet: Mailbox[] = [];
  for (let i = 0; i < shape.size; i++) {
    const drawn = Math.round(random.logNormal(SIZE_MEDIAN, SIZE_SIGMA));
    const messages = Math.max(1, Math.round(Math.min(SIZE_MAX, Math.max(SIZE_MIN, drawn)) * scale));
    fleet.push({
      index: i,
      userId: `u${i}`,
      accountId: `${shape.provider === 'google' ? 'g' : 'm'}${i}`,
      provider: shape.provider,
      messages,
      perDay: messages / HISTORY_DAYS,
      meetings: Math.max(1, Math.round(MEETINGS * scale)),
      connectedAt: shape.start + Math.floor(random.next() * window),
      timeZone: shape.timeZone,
    });
  }
  return fleet;
}

/** Messages that arrived in a mailbox between its connection and `t` (a steady flow). */
export function arrivedBy(m: Mailbox, t: number): number {
  return Math.max(0, Math.floor(((t - m.connectedAt) / 86_400_000) * m.perDay));
}

/** Meetings added between the connection and `t`. */
export function meetingsBy(m: Mailbox, t: number, scale = 1): number {
  return Math.max(0, Math.floor(((t - m.connectedAt) / 86_400_000) * NEW_MEETINGS_PER_DAY * scale));
}
