/**
 * Reading an end's name whatever its spelling: a FlowEnd leaves a missing namespace and pod out,
 * the broker's judged ends on the wire send them as '' (flow-end.ts says why both exist), a
 * status offender's end may also lack its address. These helpers are the only place that tells
 * the two spellings apart, so every reader answers alike. No zod here: the web view's bundle
 * imports this module.
 */
import type { PodRef } from '../policy/types.js';
import type { FlowEndName } from './flow-end.js';

/** An end's name in any of its spellings. */
export type AnyEndName = Partial<FlowEndName>;

/** The pod an end names: both its namespace and its pod given and not ''; otherwise undefined. */
export function podOf(e: AnyEndName): PodRef | undefined {
  return e.namespace && e.pod ? { namespace: e.namespace, pod: e.pod } : undefined;
}

/** The end's name in the one convention (flow-end.ts): the address, and the pod only when it names one. */
export function endName(e: AnyEndName & { ip: string }): FlowEndName {
  const pod = podOf(e);
  return pod === undefined ? { ip: e.ip } : { ip: e.ip, namespace: pod.namespace, pod: pod.pod };
}

/** How people read an end: `namespace/pod` when it names a pod, else its address, else `?`. */
export function endLabel(e: AnyEndName): string {
  const pod = podOf(e);
  return pod === undefined ? e.ip || '?' : `${pod.namespace}/${pod.pod}`;
}
