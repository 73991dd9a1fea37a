import * as z from 'zod';

/**
 * The definitions' knobs (DESIGN sections 3 and 4). The JSON report echoes the ones
 * that were in force, so a reader can tell how each number was counted.
 */
export const settingsSchema = z.object({
  windowDays: z.number().int().min(1).max(400).default(90),
  maxRecipients: z.number().int().min(1).default(10),
  maxAttendees: z.number().int().min(1).default(10),
  includeInternal: z.boolean().default(false),
  /** Configured organization domains, added to the one derived from the connected address. */
  internalDomains: z.array(z.string().min(1)).default([]),
});

export type Settings = z.infer<typeof settingsSchema>;

export const defaultSettings: Settings = settingsSchema.parse({});

/** How far back Sinew holds history: the backfill depth and the TTL of stored items. */
export const HISTORY_DAYS = 400;
