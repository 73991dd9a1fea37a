import type { TeamTier } from '#lib/store/types.ts';

/**
 * The `team` member of the weekly report JSON (DESIGN section 10): a public interface,
 * absent when the team view is off. Days are UTC `YYYY-MM-DD`.
 */

export type { TeamEntry, TeamTier } from '#lib/store/types.ts';

/** A colleague active at one account, as `team.accounts` lists them. */
export interface TeamColleague {
  address: string;
  name: string | null;
  /** Their strongest tier among their active contacts there. */
  tier: TeamTier;
  /** Their last interaction with any of those contacts. */
  lastInteraction: string;
  activeContacts: number;
}

/** One account (organization domain, or webmail address) of the person's own contacts. */
export interface TeamAccount {
  domain: string;
  /** Counting every sharer, the person included: exactly one person active there, with exactly one active contact. */
  teamSingleThreaded: boolean;
  /** Colleagues active there, never the person themself: tier, then most recent. */
  colleagues: TeamColleague[];
}

/** A colleague who could open a door: active with the contact (`via`), or at its organization. */
export interface PathColleague {
  address: string;
  name: string | null;
  /** The contact of theirs the path runs through. */
  via: string;
  tier: TeamTier;
  lastInteraction: string;
}

export type WarmPathReason = 'fading' | 'noFaceTime' | 'singleThreaded';

/** Up to two colleagues for one flag of the person's report. */
export interface WarmPath {
  /** The flagged contact's address, or the domain for `singleThreaded`. */
  for: string;
  reason: WarmPathReason;
  colleagues: PathColleague[];
}

export interface TeamJson {
  /** Whether this person shares; a non-sharer sees no team view (empty lists). */
  sharing: boolean;
  accounts: TeamAccount[];
  paths: WarmPath[];
}
