import type * as z from 'zod';
import { InputError } from './errors.ts';

/**
 * Reads one of Sinew's JSON interfaces back (a file, a stored copy): `value` is JSON text
 * or an already-parsed value, validated against `schema`.
 * @throws InputError `<source>: not JSON (…)`, or `<source>: not a Sinew <kind> JSON:
 *   <path>: <message>` naming the first wrong field.
 */
export function parseJsonAs<T>(schema: z.ZodType<T>, value: unknown, source: string, kind: string): T {
  let data = value;
  if (typeof value === 'string') {
    try {
      data = JSON.parse(value);
    } catch (cause) {
      throw new InputError(`${source}: not JSON (${(cause as Error).message})`, { cause });
    }
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new InputError(`${source}: not a Sinew ${kind} JSON: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
