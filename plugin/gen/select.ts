/**
 * Which workloads to generate for: one named (NAME, or KIND/NAME when a name is shared), those
 * with pods matching `-l`, or every workload of the namespace (`-A`: of the cluster). Naming
 * something that is not there is an error that lists what is.
 */
import { CliError, EXIT } from '../errors.js';
import { labelsMatch, parseLabelQuery } from './label-query.js';
import type { GenCluster, Workload } from './types.js';

export interface TargetQuery {
  workload: string | undefined;
  selector: string | undefined;
  /** undefined: every namespace. */
  namespace: string | undefined;
}

/** kubectl's names for the kinds a workload can be, lower-case. */
const KIND_NAMES: Record<string, readonly string[]> = {
  deployment: ['deployment', 'deployments', 'deploy'],
  statefulset: ['statefulset', 'statefulsets', 'sts'],
  daemonset: ['daemonset', 'daemonsets', 'ds'],
  replicaset: ['replicaset', 'replicasets', 'rs'],
  job: ['job', 'jobs'],
  cronjob: ['cronjob', 'cronjobs', 'cj'],
  pod: ['pod', 'pods', 'po'],
};

function kindMatches(kind: string, typed: string): boolean {
  const names = KIND_NAMES[kind.toLowerCase()] ?? [kind.toLowerCase()];
  return names.includes(typed.toLowerCase().split('.')[0] ?? '');
}

function where(q: TargetQuery): string {
  return q.namespace === undefined ? 'any namespace' : `namespace ${q.namespace}`;
}

function listOf(ws: readonly Workload[]): string {
  const names = ws.map((w) => `${w.kind.toLowerCase()}/${w.name}`);
  return names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;
}

function byName(scope: readonly Workload[], q: TargetQuery, typed: string): Workload[] {
  const slash = typed.indexOf('/');
  const kind = slash === -1 ? undefined : typed.slice(0, slash);
  const name = slash === -1 ? typed : typed.slice(slash + 1);
  const found = scope.filter((w) => w.name === name && (kind === undefined || kindMatches(w.kind, kind)));
  if (found.length === 0) throw new CliError(`no workload ${typed} in ${where(q)}${scope.length > 0 ? ` (there: ${listOf(scope)})` : ''}`, EXIT.failure);
  const namespaces = new Set(found.map((w) => w.namespace));
  if (namespaces.size > 1) throw new CliError(`${typed} is in several namespaces (${[...namespaces].sort().join(', ')}): name one with -n`, EXIT.badInput);
  if (found.length > 1) throw new CliError(`${typed} names several workloads (${listOf(found)}): name one as KIND/NAME`, EXIT.badInput);
  return found;
}

export function selectTargets(cluster: GenCluster, q: TargetQuery): Workload[] {
  if (q.workload !== undefined && q.selector !== undefined) throw new CliError(`give a WORKLOAD or -l/--selector, not both (got ${q.workload} and -l ${q.selector})`, EXIT.badInput);
  const scope = cluster.workloads.filter((w) => q.namespace === undefined || w.namespace === q.namespace);
  if (q.workload !== undefined) return byName(scope, q, q.workload);
  if (scope.length === 0) throw new CliError(`no pods in ${where(q)}: nothing to generate a policy for`, EXIT.failure);
  if (q.selector === undefined) return scope;
  const selector = parseLabelQuery(q.selector);
  const found = scope.filter((w) => w.pods.some((p) => labelsMatch(selector, p.labels)));
  if (found.length === 0) throw new CliError(`no workload in ${where(q)} has pods matching -l ${q.selector}`, EXIT.failure);
  return found;
}
