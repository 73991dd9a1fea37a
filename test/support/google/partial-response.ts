/**
 * Google's partial responses (the `fields` parameter): `a,b(c,d),e/f`, with `*` for
 * every key at one level. Emulators apply it so a client that forgets a field it needs
 * sees it missing, as it would against Google.
 */

/** A parsed selection: each key selects its whole value (`true`) or a sub-selection. */
export type FieldMask = Map<string, FieldMask | true>;

/** Parses a `fields` value; throws on unbalanced parentheses. */
export function parseFields(fields: string): FieldMask {
  let pos = 0;
  const parseList = (): FieldMask => {
    const mask: FieldMask = new Map();
    for (;;) {
      const start = pos;
      while (pos < fields.length && !',()'.includes(fields[pos]!)) pos++;
      const path = fields.slice(start, pos).trim().split('/').filter(Boolean);
      let sub: FieldMask | true = true;
      if (fields[pos] === '(') {
        pos++;
        sub = parseList();
        if (fields[pos] !== ')') throw new Error(`fields: missing ) in ${fields}`);
        pos++;
      }
      if (path.length > 0) merge(mask, path, sub);
      if (fields[pos] === ',') {
        pos++;
        continue;
      }
      return mask;
    }
  };
  const mask = parseList();
  if (pos !== fields.length) throw new Error(`fields: unexpected ${fields[pos]} at ${pos} in ${fields}`);
  return mask;
}

function merge(mask: FieldMask, path: string[], sub: FieldMask | true): void {
  const [head, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) return merge1(mask, head, sub);
  // `a/b/c` nests fully: a → b → c.
  const nested: FieldMask = new Map();
  merge(nested, rest, sub);
  merge1(mask, head, nested);
}

function merge1(mask: FieldMask, key: string, value: FieldMask | true): void {
  const existing = mask.get(key);
  if (existing === true || value === true || existing === undefined) {
    mask.set(key, existing === true || value === true ? true : value);
    return;
  }
  for (const [k, v] of value) merge1(existing, k, v);
}

/** The part of `value` the mask selects; arrays apply the mask to each element. */
export function applyFields(value: unknown, mask: FieldMask): unknown {
  if (Array.isArray(value)) return value.map((v) => applyFields(v, mask));
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  if (mask.has('*')) return source;
  const out: Record<string, unknown> = {};
  for (const [key, sub] of mask) {
    if (!(key in source)) continue;
    out[key] = sub === true ? source[key] : applyFields(source[key], sub);
  }
  return out;
}
