/**
 * The wire format agents send to the broker's `POST /v1/flows`, and its validation; the agent
 * (producer) and the broker (consumer) import it from here. The
 * schema is the single gate between untrusted bytes and the store: everything past it can rely on
 * valid IPs, ports, enums, RFC 3339 times and positive counts. Unknown members are ignored so
 * newer agents can talk to an older broker.
 */
import { z } from 'zod';
import type { Protocol } from '../policy/types.js';
import { FLOW_BATCH_LIMITS } from './flow-batch-limits.js';
import { DNS_SUBDOMAIN } from './kube-names.js';
import { isValidObservation } from './flow-fast-check.js';
import { flowEndSchema, type FlowEnd } from './flow-end.js';
import { parseRfc3339, RFC3339_MAX_LENGTH } from './rfc3339.js';
import { issueError, type ParseResult } from './zod-issue.js';

export type { EndpointKind } from './flow-end.js';
export { ENDPOINT_KINDS } from './flow-end.js';

/** One end of an observed flow: the one flow-end shape (flow-end.ts). */
export type ObservedEndpoint = FlowEnd;

export interface FlowObservation {
  src: ObservedEndpoint; // initiator (TCP: the connect() side; UDP: sender of the first packet seen)
  dst: ObservedEndpoint;
  protocol: Protocol; // 'TCP' | 'UDP' | 'SCTP'
  /** Which end observed it: Egress = seen leaving the source's socket, Ingress = seen arriving at the destination's. */
  direction: 'Ingress' | 'Egress';
  /** TCP: 'established' | 'attempt' (SYN sent, never established) | 'refused'; UDP: 'seen'. */
  state: 'established' | 'attempt' | 'refused' | 'seen';
  firstSeen: string; // RFC 3339 with ms
  lastSeen: string;
  count: number; // conversations aggregated in this observation (docs/agent.md, "What a count counts"), >= 1
  node: string;
}

export interface FlowBatch {
  batchId: string /* unique per agent batch, reused on retry */;
  node: string;
  flows: FlowObservation[];
}

export const FLOW_STATES: readonly FlowObservation['state'][] = ['established', 'attempt', 'refused', 'seen'];

export { FLOW_BATCH_LIMITS };

const time = z
  .string()
  .max(RFC3339_MAX_LENGTH)
  .refine((s) => !Number.isNaN(parseRfc3339(s)), 'must be an RFC 3339 time of a real date, such as 2026-01-02T15:04:05.000Z');
const nodeName = z.string().min(1).max(253).regex(DNS_SUBDOMAIN, 'must be a DNS subdomain (a Kubernetes node name)');

export const flowObservationSchema = z
  .object({
    src: flowEndSchema,
    dst: flowEndSchema,
    protocol: z.enum(['TCP', 'UDP', 'SCTP']),
    direction: z.enum(['Ingress', 'Egress']),
    state: z.enum(FLOW_STATES as [FlowObservation['state'], ...FlowObservation['state'][]]),
    firstSeen: time,
    lastSeen: time,
    count: z.int().min(1).max(FLOW_BATCH_LIMITS.maxCount),
    node: nodeName,
  })
  .refine((f) => Date.parse(f.lastSeen) >= Date.parse(f.firstSeen), { message: 'must not be before firstSeen', path: ['lastSeen'] })
  .refine((f) => f.dst.port !== 0, { message: 'destination port must be 1..65535', path: ['dst', 'port'] });

const batchHeaderSchema = z.object({
  batchId: z.string().min(1).max(128).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
  node: nodeName,
  flows: z.array(z.unknown()).max(FLOW_BATCH_LIMITS.maxFlows, `at most ${FLOW_BATCH_LIMITS.maxFlows} flows per batch`),
});

/**
 * Validates a parsed JSON body as a FlowBatch. Items are checked one by one so the error names
 * the first bad item by index (and the whole batch is refused: agents resend it fixed or drop it).
 */
export function parseFlowBatch(body: unknown): ParseResult<FlowBatch> {
  const header = batchHeaderSchema.safeParse(body);
  if (!header.success) return { ok: false, error: issueError(header.error.issues[0], []) };
  const flows: FlowObservation[] = [];
  for (let i = 0; i < header.data.flows.length; i++) {
    const raw = header.data.flows[i];
    if (isValidObservation(raw)) {
      flows.push(raw as FlowObservation);
      continue;
    }
    // The fast path said no: the schema says why (or, if the two ever disagree, accepts it).
    const item = flowObservationSchema.safeParse(raw);
    if (!item.success) return { ok: false, error: issueError(item.error.issues[0], ['flows', i], i) };
    flows.push(item.data);
  }
  return { ok: true, value: { batchId: header.data.batchId, node: header.data.node, flows } };
}
