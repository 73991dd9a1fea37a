import type { z } from 'zod';
import { InputError } from '#lib/errors.ts';

/**
 * Reads a source's stored cursor (JSON validated by the source's schema): undefined when
 * there is none yet (a full sync), an InputError naming the source when it is unreadable.
 */
export function parseCursor<S extends z.ZodType>(schema: S, cursor: string | undefined, what: string): z.infer<S> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(cursor);
  } catch {
    raw = undefined;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new InputError(`not a ${what} sync cursor: ${cursor.slice(0, 80)}`);
  return parsed.data;
}
