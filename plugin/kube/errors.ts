/**
 * API errors in words a user can act on. Every call the plugin makes to the API server goes
 * through describeApiError, which knows what was asked (verb, resource, namespace, name) and
 * turns the HTTP status into the next step: install the CRDs, use -A, ask for RBAC, check the
 * cluster. All of them exit 1 (EXIT.failure); docs/cli.md lists the messages.
 */
import { CliError, EXIT } from '../errors.js';

export const CRDS_INSTALL_HINT = 'kubectl apply -f crds/ (auditnetworkpolicies.yaml and auditclusternetworkpolicies.yaml from the kguardian release)';

/** What the failed call asked for. */
export interface ApiRequest {
  verb: 'get' | 'list' | 'patch' | 'delete' | 'create';
  /** Plural and group, e.g. "auditnetworkpolicies.kguardian.dev", or "namespaces". */
  resource: string;
  /** Kind for messages, e.g. "AuditNetworkPolicy". */
  kind: string;
  namespace?: string | undefined;
  name?: string | undefined;
  /** True for kguardian's own kinds: a 404 without a Status means the CRD is missing. */
  custom?: boolean;
  /** The name to suggest in kubectl commands, e.g. "kganp". */
  short?: string;
}

/** Where the call went, for messages. */
export interface ApiTarget {
  context: string;
  server: string;
}

interface StatusBody {
  kind?: string;
  reason?: string;
  message?: string;
  details?: { name?: string };
}

function statusOf(body: unknown): StatusBody | undefined {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const status = parsed as StatusBody;
  return status.kind === 'Status' ? status : undefined;
}

function where(req: ApiRequest): string {
  return req.namespace ? ` in namespace "${req.namespace}"` : '';
}

function notFound(req: ApiRequest, status: StatusBody | undefined, target: ApiTarget): CliError {
  // A Status naming the object means the object is missing; anything else (a plain "404 page
  // not found", or a Status without the name) means the API server does not serve the resource.
  if (req.name !== undefined && status?.reason === 'NotFound' && status.details?.name === req.name) {
    const hint = req.namespace
      ? `List them with 'kubectl get ${req.short ?? req.resource} -A', or pass -n NAMESPACE.`
      : `List them with 'kubectl get ${req.short ?? req.resource}'.`;
    return new CliError(`${req.kind} "${req.name}" not found${where(req)} (context ${target.context}). ${hint}`, EXIT.failure);
  }
  if (req.custom) {
    return new CliError(
      `the kguardian CRDs are not installed on ${target.server} (context ${target.context}): it does not serve ${req.resource}. Install them: ${CRDS_INSTALL_HINT}`,
      EXIT.failure,
    );
  }
  return new CliError(`${req.resource} not found on ${target.server}: ${status?.message ?? 'the server could not find the requested resource'}`, EXIT.failure);
}

function forbidden(req: ApiRequest, status: StatusBody | undefined, target: ApiTarget): CliError {
  const object = req.name ? ` "${req.name}"` : '';
  const detail = status?.message ? ` The API server said: ${status.message}.` : '';
  return new CliError(
    `forbidden: you may not ${req.verb} ${req.resource}${object}${where(req)} (context ${target.context}).${detail} Ask a cluster admin for a Role granting "${req.verb}" on ${req.resource}; check with: kubectl auth can-i ${req.verb} ${req.resource}${req.namespace ? ` -n ${req.namespace}` : ''}`,
    EXIT.failure,
  );
}

function causeText(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur instanceof Error; depth++) {
    const code = (cur as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${cur.message} (${code})` : cur.message);
    cur = cur.cause;
  }
  return parts.join(': ');
}

/** True for errors that never reached an HTTP response (refused, DNS, TLS, timeout). */
function isTransportError(e: unknown): boolean {
  return e instanceof Error && !('code' in e && typeof (e as { code: unknown }).code === 'number') && (e.name === 'TypeError' || e.name === 'FetchError' || 'cause' in e);
}

/** Maps any error from a client-node call to a CliError; rethrows what it does not recognise. */
export function describeApiError(e: unknown, req: ApiRequest, target: ApiTarget): CliError {
  if (e instanceof CliError) return e;
  const code = typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : undefined;
  if (code !== undefined) return httpError({ code, body: (e as { body?: unknown }).body }, req, target);
  if (isTransportError(e)) {
    return new CliError(
      `cannot reach the cluster at ${target.server} (context ${target.context}): ${causeText(e)}. Check that the cluster is running and that --kubeconfig/--context point at it.`,
      EXIT.failure,
    );
  }
  throw e;
}

/** A server-side apply that other field managers' values stand in the way of. */
function applyConflict(req: ApiRequest, status: StatusBody | undefined): CliError {
  return new CliError(
    `${req.kind} ${req.namespace ?? ''}/${req.name ?? ''} already exists and other field managers set some of its fields to other values: ${status?.message ?? 'conflict'}. Compare with kubectl get ${req.resource} ${req.name ?? ''} -n ${req.namespace ?? ''} -o yaml; --force-conflicts takes the fields over`,
    EXIT.failure,
  );
}

/** An answer of the API server with an HTTP status, by its status. */
function httpError(answer: { code: number; body: unknown }, req: ApiRequest, target: ApiTarget): CliError {
  const { code, body } = answer;
  const status = statusOf(body);
  if (code === 404) return notFound(req, status, target);
  if (code === 403) return forbidden(req, status, target);
  if (code === 409 && req.verb === 'patch') return applyConflict(req, status);
  if (code === 401) {
    return new CliError(`the API server at ${target.server} rejected the credentials of context ${target.context} (401 Unauthorized): log in again or fix the user in your kubeconfig`, EXIT.failure);
  }
  const message = status?.message ?? (typeof body === 'string' ? body.trim() : `HTTP ${code}`);
  return new CliError(`${req.verb} ${req.resource}${req.name ? ` "${req.name}"` : ''}${where(req)} failed: ${message}`, EXIT.failure);
}
