import type { Excluded } from '#lib/interactions/types.ts';
import type { HealthResult } from '#lib/health/types.ts';
import type { TeamJson } from '#lib/team/types.ts';

/** The settings echoed in the JSON report (DESIGN section 5). */
export interface ReportSettings {
  windowDays: number;
  maxRecipients: number;
  maxAttendees: number;
  includeInternal: boolean;
  /** The organization domains in force: derived from the connected address plus configured. */
  internalDomains: string[];
}

/**
 * Whether the person has a calendar source (DESIGN section 4): `missing` means no
 * connected calendar and no imported ics, so `noFaceTime` is withheld (empty) rather
 * than claiming no meetings.
 */
export type CalendarState = 'connected' | 'missing';

/** The JSON export: a stable public interface (DESIGN section 5). Key order is fixed. */
export interface ReportJson extends HealthResult {
  user: string;
  asOf: string;
  settings: ReportSettings;
  /**
   * Added after the first stored weeks (additive: placed after `noFaceTime`, which it
   * qualifies). Optional in memory for reports built before it; always written out,
   * `connected` when absent.
   */
  calendar?: CalendarState;
  excluded: Excluded;
  /** The team view (DESIGN section 10): present only when the deployment turns it on. */
  team?: TeamJson;
}
