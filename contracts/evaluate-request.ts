/**
 * The body of `POST /evaluate` (the broker sends it, the evaluator parses it: contracts/evaluate.ts
 * holds the item types, evaluate-limits.ts the limits) and its validation: the single gate
 * between the broker's bytes and the model. A hand-written check accepts exactly what the zod
 * schema accepts, far faster (the schema alone would cost more than judging the flows); when it
 * says no, the schema names the first bad field, `flows[3].flow.src.ip`, with the item's index.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import type { EvaluateItem, OnlyPolicy } from './evaluate.js';
import { EVALUATE_LIMITS } from './evaluate-limits.js';
import { isInt, isObj, timeMs } from './fast-check.js';
import { flowEndSchema } from './flow-end.js';
import { DNS_LABEL, DNS_SUBDOMAIN } from './kube-names.js';
import { issueError, type ParseResult } from './zod-issue.js';
import { parseRfc3339, RFC3339_MAX_LENGTH } from './rfc3339.js';

export interface EvaluateRequest {
  flows: EvaluateItem[];
  only?: OnlyPolicy;
}

const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);
const PAIRED = 'namespace and pod are given together or not at all';

/**
 * An end's name (flow-end.ts): the address optional (an end may be named by its pod alone) and any
 * address the engine can read, the namespace and pod as the flow batch checks them.
 */
const endpointSchema = z
  .object({ ip: z.string().max(45).refine((s) => isIP(s) !== 0, 'must be an IPv4 or IPv6 address').optional() })
  .extend(flowEndSchema.pick({ namespace: true, pod: true }).shape)
  .refine((e) => (e.namespace === undefined) === (e.pod === undefined), { message: PAIRED, path: ['pod'] });

export const evaluateItemSchema = z.object({
  id: z.int().min(0),
  observedAt: z
    .string()
    .max(RFC3339_MAX_LENGTH)
    .refine((s) => !Number.isNaN(parseRfc3339(s)), 'must be an RFC 3339 time of a real date, such as 2026-01-02T15:04:05.000Z'),
  count: z.int().min(1).max(EVALUATE_LIMITS.maxCount),
  direction: z.enum(['Ingress', 'Egress']),
  flow: z.object({
    src: endpointSchema,
    dst: endpointSchema,
    protocol: z.enum(['TCP', 'UDP', 'SCTP']),
    port: z.int().min(1).max(65535),
  }),
});

const headerSchema = z.object({
  flows: z.array(z.unknown()).max(EVALUATE_LIMITS.maxFlows, `at most ${EVALUATE_LIMITS.maxFlows} flows per request`),
  only: z.object({ uid: z.string().min(1).max(64), generation: z.int().min(0) }).optional(),
});

function endpointOk(v: unknown): boolean {
  if (!isObj(v)) return false;
  const { ip, namespace, pod } = v;
  if (ip !== undefined && (typeof ip !== 'string' || ip.length > 45 || isIP(ip) === 0)) return false;
  if ((namespace === undefined) !== (pod === undefined)) return false;
  if (namespace === undefined) return true;
  return typeof namespace === 'string' && namespace.length <= 63 && DNS_LABEL.test(namespace) && typeof pod === 'string' && pod.length <= 253 && DNS_SUBDOMAIN.test(pod);
}

/** True when `v` is an item evaluateItemSchema accepts. */
export function isValidItem(v: unknown): boolean {
  if (!isObj(v) || !isObj(v.flow)) return false;
  const f = v.flow;
  return (
    isInt(v.id, 0, Number.MAX_SAFE_INTEGER) &&
    !Number.isNaN(timeMs(v.observedAt)) &&
    isInt(v.count, 1, EVALUATE_LIMITS.maxCount) &&
    (v.direction === 'Ingress' || v.direction === 'Egress') &&
    typeof f.protocol === 'string' &&
    PROTOCOLS.has(f.protocol) &&
    isInt(f.port, 1, 65535) &&
    endpointOk(f.src) &&
    endpointOk(f.dst)
  );
}

/** Validates a parsed JSON body; the first bad item refuses the whole request. */
export function parseEvaluateRequest(body: unknown): ParseResult<EvaluateRequest> {
  const header = headerSchema.safeParse(body);
  if (!header.success) return { ok: false, error: issueError(header.error.issues[0], []) };
  const raw = header.data.flows;
  for (let i = 0; i < raw.length; i++) {
    if (isValidItem(raw[i])) continue;
    const item = evaluateItemSchema.safeParse(raw[i]);
    if (!item.success) return { ok: false, error: issueError(item.error.issues[0], ['flows', i], i) };
  }
  // Unknown members are ignored (newer brokers may send more); the items are used as sent.
  const flows = raw as EvaluateItem[];
  return { ok: true, value: header.data.only ? { flows, only: header.data.only } : { flows } };
}
