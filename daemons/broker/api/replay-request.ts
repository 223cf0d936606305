/**
 * The body of `POST /v1/replays` (the evaluator asks the broker to replay a policy's window) and its
 * validation: which policy generation to replay, and from when. A bad field gives a 400 naming it (`policy.generation`).
 *
 *   {"policy": {"uid", "kind", "namespace", "name", "generation"}, "since": RFC 3339}
 */
import { z } from 'zod';
import type { NewReplay } from '../store/replay-types.js';
import { fieldPath, type ParseResult } from '../../../contracts/flow-batch.js';
import { DNS_LABEL, DNS_SUBDOMAIN } from '../../../contracts/kube-names.js';
import { badRequest } from '../../../runtime/http-error.js';
import { parseRfc3339, RFC3339_MAX_LENGTH } from '../../../contracts/rfc3339.js';


export const replayRequestSchema = z.object({
  policy: z
    .object({
      uid: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a Kubernetes uid'),
      kind: z.enum(['AuditNetworkPolicy', 'AuditClusterNetworkPolicy']),
      namespace: z.string().max(63),
      name: z.string().max(253).regex(DNS_SUBDOMAIN, 'must be a Kubernetes name'),
      generation: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
    })
    .refine((p) => (p.kind === 'AuditClusterNetworkPolicy' ? p.namespace === '' : DNS_LABEL.test(p.namespace)), {
      message: "must be the policy's namespace for AuditNetworkPolicy, '' for AuditClusterNetworkPolicy",
      path: ['namespace'],
    }),
  since: z.string().max(RFC3339_MAX_LENGTH).refine((s) => !Number.isNaN(parseRfc3339(s)), 'must be an RFC 3339 time of a real date, such as 2026-01-02T15:04:05Z'),
});

/** Validates a parsed body; `since` must not be in the future, and is moved up to the oldest flow kept. */
export function parseReplayRequest(body: unknown, now: Date, flowsDays: number): ParseResult<NewReplay> {
  const r = replayRequestSchema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = fieldPath(issue?.path ?? []) || 'body';
    return { ok: false, error: badRequest(field, `${field}: ${issue?.message ?? 'invalid'}`) };
  }
  const since = parseRfc3339(r.data.since);
  if (since > now.getTime()) return { ok: false, error: badRequest('since', 'since: must not be in the future') };
  const oldest = now.getTime() - flowsDays * 86_400_000;
  return { ok: true, value: { policy: r.data.policy, since: new Date(Math.max(since, oldest)) } };
}
