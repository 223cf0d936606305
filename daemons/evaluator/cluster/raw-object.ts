/**
 * Objects from the API server's watches, read without a schema: the indexes take only a few fields and
 * must never throw on an object shaped otherwise than expected.
 */
export type Raw = Record<string, unknown>;

/** `v` as an object to read fields from; {} when it is not one (missing, null, an array, a scalar). */
export function rec(v: unknown): Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : {};
}
