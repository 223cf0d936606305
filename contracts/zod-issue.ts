/**
 * How a refused body names what is wrong: the first zod issue becomes a 400 whose field is the
 * issue's path (`flows[3].src.ip`, or `body` for the body itself) and whose message starts with
 * that field. Every validator of a request body in contracts/ and the broker goes through here,
 * so the field and sentence are the same shape on every route.
 */
import type { z } from 'zod';
import { badRequest, type HttpError } from '../runtime/http-error.js';

/** A validated body, or the 400 that refuses it. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: HttpError };

/**
 * Renders a field path as `flows[3].src.ip`: a zod issue's path here and in the flow files, and an
 * unknown field of a policy file (crds/unknown-fields.ts, `spec.ingress[0].from[1].podSelectr`), so
 * every message names a field the same way.
 */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

/**
 * A 400 for the first issue of a failed parse: `prefix` is where the parsed value sits in the body
 * (`['flows', 3]` for one item), `index` the item's index, returned as `{index}` beside the error.
 */
export function issueError(issue: z.core.$ZodIssue | undefined, prefix: readonly PropertyKey[] = [], index?: number): HttpError {
  const field = fieldPath([...prefix, ...(issue?.path ?? [])]) || 'body';
  const message = `${field}: ${issue?.message ?? 'invalid'}`;
  return badRequest(field, message, index === undefined ? undefined : { index });
}
