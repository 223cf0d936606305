/**
 * One end of a flow (its source or its destination), the one shape every part uses: the agent
 * observes it, the broker stores and serves it, the evaluator and the engine judge it, the plugin
 * and the web view print it. Everything that holds an end is this type or a projection of it:
 *
 *   FlowEnd       ip, port, kind, namespace?, pod?, podUid?   the agent's observation (POST /v1/flows),
 *                                                             a stored flow (GET /v1/flows)
 *   FlowEndName   ip, namespace?, pod?                        what a judgement depends on: the ends of
 *                                                             the evaluate request (policy/types.ts
 *                                                             NamedEnd: ip optional; the engine's other
 *                                                             end, UnownedAddress, is the evaluator's
 *                                                             own finding and never on the wire)
 *   JudgedEndWire ip, namespace, pod ('' when unnamed)        a verdict's, an offender's and an
 *                                                             enforcement row's ends on the broker's
 *                                                             read API (see below)
 *   EndIdentity   kind, namespace?, pod?, podUid?             who owns an address (the agent's lookup)
 *
 * Missing is absent: an end no pod owns has no `namespace` and no `pod` (`undefined` in TypeScript,
 * no key in JSON), never `''`. Absent is what JSON, zod's `.optional()`, Kubernetes' omitempty and
 * CEL's `has()` all read as missing, and TypeScript makes a reader of `pod?: string` handle it; `''`
 * is a string like any other, so `e.pod !== undefined` is true of it, and a check written for one
 * spelling silently takes the other for a name.
 *
 * One place keeps `''`, on the wire only: the broker's read API (`/audit/verdicts`, its stream,
 * `/audit/summary`, `/v1/enforcement`) has always sent a judged end's missing namespace and pod as
 * `''`, and released evaluators and plugins read those members as required strings, so the broker
 * keeps sending them (judgedEndWireSchema, which also accepts them absent, so a later broker may
 * drop them). Readers never test either spelling themselves: endName() (flow-end-label.ts) reads
 * both and answers the one convention. The store's columns spell it `''` too (a key column is NOT
 * NULL so that a unique index treats two unnamed ends as the same); daemons/broker/store/rows.ts
 * maps a row to a FlowEnd, flow-writes.ts back.
 */
import { z } from 'zod';
import { ipProblem, MAX_IP_LENGTH } from './ip-address.js';
import { DNS_LABEL, DNS_SUBDOMAIN } from './kube-names.js';

/** Who owns an address, as the agent knew it at observation time. */
export const ENDPOINT_KINDS = ['pod', 'host', 'node', 'external', 'unknown'] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

/** The bounds of an end's fields, as the API server bounds the names they hold. */
export const FLOW_END_LIMITS = { maxIp: MAX_IP_LENGTH, maxNamespace: 63, maxPod: 253, maxPodUid: 64 } as const;

/** An address the store can keep: IPv4 or IPv6 text, without an IPv6 zone id. */
export const endIpSchema = z
  .string()
  .max(FLOW_END_LIMITS.maxIp)
  .superRefine((s, ctx) => {
    const problem = ipProblem(s);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });
export const endNamespaceSchema = z.string().max(FLOW_END_LIMITS.maxNamespace).regex(DNS_LABEL, 'must be a Kubernetes namespace name');
export const endPodSchema = z.string().max(FLOW_END_LIMITS.maxPod).regex(DNS_SUBDOMAIN, 'must be a Kubernetes pod name');
export const POD_UID = /^[A-Za-z0-9-]+$/;
export const endPodUidSchema = z.string().min(1).max(FLOW_END_LIMITS.maxPodUid).regex(POD_UID, 'must be a Kubernetes UID');

/** One end of a flow as observed: its address and port, who owns the address, and the pod when one does. */
export const flowEndSchema = z.object({
  /** IPv4 or IPv6, as text. */
  ip: endIpSchema,
  /** 0..65535; a source port may be 0 when several were aggregated into one observation. */
  port: z.int().min(0).max(65535),
  kind: z.enum(ENDPOINT_KINDS),
  /** The pod as stamped at observation time (pod IPs are reused); absent when no pod owns the address. */
  namespace: endNamespaceSchema.optional(),
  pod: endPodSchema.optional(),
  podUid: endPodUidSchema.optional(),
});
export type FlowEnd = z.infer<typeof flowEndSchema>;

/** What a judgement of an end depends on: its address and, when a pod owns it, the pod. */
export type FlowEndName = Pick<FlowEnd, 'ip' | 'namespace' | 'pod'>;

/** Who owns an address: an end without its address and port. */
export type EndIdentity = Omit<FlowEnd, 'ip' | 'port'>;

/**
 * A judged end on the broker's read API: FlowEndName with the wire's `''` for a missing
 * namespace or pod (see the module comment), read leniently: absent is accepted too, and only
 * lengths are checked (the broker wrote what it stored). Read its name with endName().
 */
export const judgedEndWireSchema = z.object({
  namespace: z.string().max(253).default(''),
  pod: z.string().max(FLOW_END_LIMITS.maxPod).default(''),
  ip: z.string().max(FLOW_END_LIMITS.maxIp),
});
export type JudgedEndWire = z.infer<typeof judgedEndWireSchema>;
