/**
 * The size DynamoDB charges an item, measured before it is sent: DynamoDB refuses an
 * item over 400 KB, and one refused item fails its whole BatchWriteItem (and can leave
 * dynalite closed for the rest of the process). The rules are DynamoDB's published ones
 * ("Item sizes and formats"): attribute names and strings in UTF-8 bytes, binary in bytes,
 * a number at most 21 bytes, null and booleans 1 byte, a list or map 3 bytes plus 1 per
 * element (and a map's element names). The estimate never falls short: numbers count as
 * their largest size.
 */

/** DynamoDB's item size limit: 400 KB, names and values together. */
export const MAX_ITEM_BYTES = 400 * 1024;

/** A number is at most 38 significant digits: (38 / 2) + 1 bytes, plus a sign. */
const NUMBER_BYTES = 21;

/** The size of a record as the DocumentClient would marshal it (undefined values left out). */
export function itemBytes(record: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(record)) {
    if (value !== undefined) size += Buffer.byteLength(name, 'utf8') + valueBytes(value);
  }
  return size;
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'bigint') return NUMBER_BYTES;
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value) || value instanceof Set) {
    let size = 3;
    for (const element of value) size += 1 + valueBytes(element);
    return size;
  }
  if (typeof value === 'object') {
    let size = 3;
    for (const [name, element] of Object.entries(value as Record<string, unknown>)) {
      if (element !== undefined) size += 1 + Buffer.byteLength(name, 'utf8') + valueBytes(element);
    }
    return size;
  }
  return 0;
}
