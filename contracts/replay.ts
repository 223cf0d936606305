/**
 * Replays: the evaluator's leader asks the broker to judge a policy generation's window again
 * (`POST /v1/replays`) and follows the job (`GET /v1/replays/{id}`). The broker validates the
 * request and types the job it sends with these schemas; the evaluator sends the request and
 * reads the job with them. A bad request field gives a 400 naming it (`policy.generation`).
 *
 *   request {"policy": {"uid", "kind", "namespace", "name", "generation"}, "since": RFC 3339}
 *   job     {"id", "policy", "since", "until", "state", "flowsScanned", "flowsTotal", "verdicts", "error"?}
 */
import { z } from 'zod';
import { DNS_LABEL, DNS_SUBDOMAIN } from './kube-names.js';
import { parseRfc3339, RFC3339_MAX_LENGTH } from './rfc3339.js';

export const REPLAY_STATES = ['Running', 'Complete', 'Failed', 'Superseded'] as const;
export type ReplayState = (typeof REPLAY_STATES)[number];

/** A replay request is two small objects: nothing valid needs more than these. */
export const REPLAY_REQUEST_LIMITS = {
  maxBodyBytes: 64 * 1024,
  /** Objects and arrays in one body, checked before parsing. */
  maxContainers: 64,
} as const;

/** The policy generation a replay judges against. Only audit kinds have stored verdicts. */
export const replayPolicySchema = z
  .object({
    uid: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a Kubernetes uid'),
    kind: z.enum(['AuditNetworkPolicy', 'AuditClusterNetworkPolicy']),
    /** '' for AuditClusterNetworkPolicy. */
    namespace: z.string().max(63),
    name: z.string().max(253).regex(DNS_SUBDOMAIN, 'must be a Kubernetes name'),
    generation: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  })
  .refine((p) => (p.kind === 'AuditClusterNetworkPolicy' ? p.namespace === '' : DNS_LABEL.test(p.namespace)), {
    message: "must be the policy's namespace for AuditNetworkPolicy, '' for AuditClusterNetworkPolicy",
    path: ['namespace'],
  });
export type ReplayPolicy = z.infer<typeof replayPolicySchema>;

export const replayRequestSchema = z.object({
  policy: replayPolicySchema,
  since: z.string().max(RFC3339_MAX_LENGTH).refine((s) => !Number.isNaN(parseRfc3339(s)), 'must be an RFC 3339 time of a real date, such as 2026-01-02T15:04:05Z'),
});
export type ReplayRequest = z.infer<typeof replayRequestSchema>;

/** A job as the broker sends it. */
export const replayJobSchema = z.object({
  id: z.int().min(1),
  policy: replayPolicySchema,
  since: z.string(),
  /** The job's creation time: flows bucketed later are judged live, by the new generation. */
  until: z.string(),
  state: z.enum(REPLAY_STATES),
  flowsScanned: z.int().min(0),
  /** Flow rows in the window the policy can concern; null until the worker has counted them. */
  flowsTotal: z.int().min(0).nullable(),
  /** Verdict rows the replay stored. */
  verdicts: z.int().min(0),
  error: z.string().optional(),
});
export type ReplayJob = z.infer<typeof replayJobSchema>;

/**
 * What a follower of a job reads of it: its id (as text) and state, and the progress when given.
 * Lenient where the evaluator needs nothing more, so a job of an older or newer broker still reads.
 */
export const replayProgressSchema = replayJobSchema
  .pick({ state: true, since: true, until: true, flowsScanned: true, flowsTotal: true, verdicts: true, error: true })
  .partial({ since: true, until: true, flowsScanned: true, flowsTotal: true, verdicts: true })
  .extend({ id: z.union([z.int(), z.string().min(1)]).transform(String) });
export type ReplayProgress = z.output<typeof replayProgressSchema>;
