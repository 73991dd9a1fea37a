import type { Excluded } from '../interactions/types.ts';
import type { HealthResult } from '../health/types.ts';

/** The settings echoed in the JSON report (DESIGN section 5). */
export interface ReportSettings {
  windowDays: number;
  maxRecipients: number;
  maxAttendees: number;
  includeInternal: boolean;
  /** The organization domains in force: derived from the connected address plus configured. */
  internalDomains: string[];
}

/** The JSON export: a stable public interface (DESIGN section 5). Key order is fixed. */
export interface ReportJson extends HealthResult {
  user: string;
  asOf: string;
  settings: ReportSettings;
  excluded: Excluded;
}
