/**
 * Loads flows from JSON Lines: one flow a line, each end given by IP or by namespace and
 * pod. Every line is validated; the first bad one stops the run with its line and field.
 * Protocols are accepted in any case and stored upper-case. A line may also say when the flow
 * was seen (`firstSeen`, `lastSeen`, RFC 3339) and how often (`count`): `audit test` judges
 * the flow the same either way; `gen networkpolicy` uses them for provenance and time windows.
 */
import { z } from 'zod';
import { fieldPath } from '../../contracts/zod-issue.js';
import type { Flow, NamedEnd } from '../../policy/index.js';
import { canonicalIp } from '../../policy/index.js';
import { InputError } from '../errors.js';
import type { Source } from '../input/read-source.js';

const endpointSchema = z
  .strictObject({
    ip: z.string().refine((ip) => canonicalIp(ip) !== undefined, { message: 'is not a valid IPv4 or IPv6 address' }).optional(),
    namespace: z.string().min(1).optional(),
    pod: z.string().min(1).optional(),
  })
  .refine((e) => e.ip !== undefined || (e.namespace !== undefined && e.pod !== undefined), {
    message: 'needs an ip, or both namespace and pod',
  })
  .refine((e) => (e.namespace === undefined) === (e.pod === undefined), { message: 'namespace and pod go together' });

const flowSchema = z.strictObject({
  src: endpointSchema,
  dst: endpointSchema,
  protocol: z
    .string()
    .transform((p) => p.toUpperCase())
    .pipe(z.enum(['TCP', 'UDP', 'SCTP'], { message: 'must be TCP, UDP or SCTP' })),
  port: z.number({ message: 'must be a number' }).int({ message: 'must be a whole number' }).min(1).max(65535),
  firstSeen: z.iso.datetime({ offset: true, message: 'must be an RFC 3339 time such as 2026-12-01T08:00:00Z' }).optional(),
  lastSeen: z.iso.datetime({ offset: true, message: 'must be an RFC 3339 time such as 2026-12-01T08:00:00Z' }).optional(),
  count: z.number({ message: 'must be a number' }).int({ message: 'must be a whole number' }).min(1).optional(),
});

/** When and how often a flow line was seen, when the line says. */
export interface Seen {
  /** Milliseconds since the epoch. */
  first: number | undefined;
  last: number | undefined;
  count: number;
}

/**
 * Where on the line an issue is and what it says, the field named as everywhere else
 * (contracts/zod-issue.ts: `src.ip`). An unknown key is the field itself, as the policy files'
 * unknown fields are (`src.pod_name: unknown field "pod_name"`), not the object that holds it.
 */
function issueAt(issue: z.core.$ZodIssue | undefined): { field?: string; message: string } {
  if (issue === undefined) return { message: 'is not a flow' };
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const known = issue.path.length === 0 ? `a flow line has ${Object.keys(flowSchema.shape).join(', ')}` : `an end has ${Object.keys(endpointSchema.shape).join(', ')}`;
    return { field: fieldPath([...issue.path, key]), message: `unknown field "${key}" (${known})` };
  }
  const field = fieldPath(issue.path);
  return field === '' ? { message: issue.message } : { field, message: issue.message };
}

export interface LineFlow {
  flow: Flow<NamedEnd>;
  /** 1-based line in the input file. */
  line: number;
  seen: Seen;
}

export function loadFlows(source: Source): LineFlow[] {
  const flows: LineFlow[] = [];
  source.text.split('\n').forEach((raw, i) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    flows.push(lineFlow(source.name, i + 1, text));
  });
  return flows;
}

/** One non-blank line of the file as a flow; an InputError naming the line and field when it is not one. */
function lineFlow(file: string, line: number, text: string): LineFlow {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError({ file, line }, `invalid JSON: ${(e as Error).message}`);
  }
  const parsed = flowSchema.safeParse(value);
  if (!parsed.success) {
    const { field, message } = issueAt(parsed.error.issues[0]);
    throw new InputError({ file, line, ...(field !== undefined ? { field } : {}) }, message);
  }
  const { firstSeen, lastSeen, count, ...flow } = parsed.data;
  const first = timeOf(firstSeen);
  const last = timeOf(lastSeen);
  if (first !== undefined && last !== undefined && last < first) throw new InputError({ file, line, field: 'lastSeen' }, 'is before firstSeen');
  return { flow, line, seen: { first: first ?? last, last: last ?? first, count: count ?? 1 } };
}

function timeOf(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Date.parse(text);
}
