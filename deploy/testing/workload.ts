/**
 * Typed views of the rendered workloads' pod templates, for the tests' security assertions.
 * Only the fields the tests read are typed.
 */
import type { K8sObject } from './helm.js';

export interface SecurityContext {
  runAsUser?: number;
  runAsNonRoot?: boolean;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type: string };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}

export interface Container {
  name: string;
  image: string;
  env?: EnvVar[];
  ports?: { name: string; containerPort: number }[];
  securityContext?: SecurityContext;
  livenessProbe?: { httpGet?: { path: string; port: string }; exec?: unknown };
  readinessProbe?: { httpGet?: { path: string; port: string }; exec?: unknown };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

export interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; hostPath?: { path: string; type?: string } }[];
  tolerations?: unknown[];
}

export function podSpec(workload: K8sObject): PodSpec {
  const spec = workload.spec as { template?: { spec?: PodSpec } } | undefined;
  if (!spec?.template?.spec) throw new Error(`${workload.kind} ${workload.metadata.name} has no pod template`);
  return spec.template.spec;
}

export function onlyContainer(workload: K8sObject): Container {
  const { containers } = podSpec(workload);
  if (containers.length !== 1 || !containers[0]) throw new Error(`${workload.metadata.name} should have exactly one container`);
  return containers[0];
}

/** The effective value of a securityContext field: the container's, else the pod's. */
export function effective<K extends keyof SecurityContext>(workload: K8sObject, key: K): SecurityContext[K] {
  return onlyContainer(workload).securityContext?.[key] ?? podSpec(workload).securityContext?.[key];
}

export function envNames(container: Container): string[] {
  return (container.env ?? []).map((e) => e.name).sort();
}

export function envVar(container: Container, name: string): EnvVar {
  const found = container.env?.find((e) => e.name === name);
  if (!found) throw new Error(`${container.name} has no env ${name}`);
  return found;
}
