/**
 * Which pod labels may select a workload. Controllers stamp labels that differ per rollout, per
 * pod or per run; a policy selecting on them would stop selecting the workload at its next
 * rollout (or select one pod only), so they never go into a generated selector.
 */

/** Labels that change with each rollout, pod or run, whatever the controller. */
const ALWAYS_UNSTABLE = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'batch.kubernetes.io/job-completion-index',
]);

/** A CronJob's Jobs are named per run, and so are these labels; a lone Job keeps them (its only handle). */
const PER_RUN = new Set(['job-name', 'batch.kubernetes.io/job-name']);

export function isStableLabel(key: string, workloadKind: string): boolean {
  if (ALWAYS_UNSTABLE.has(key)) return false;
  return !(workloadKind === 'CronJob' && PER_RUN.has(key));
}

export function stableLabels(labels: Readonly<Record<string, string>>, workloadKind: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) if (isStableLabel(key, workloadKind)) out[key] = labels[key] as string;
  return out;
}

/** The stable labels every one of these label sets carries with the same value. */
export function sharedStableLabels(sets: readonly Readonly<Record<string, string>>[], workloadKind: string): Record<string, string> {
  const [first, ...rest] = sets;
  if (!first) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(stableLabels(first, workloadKind))) if (rest.every((s) => s[key] === value)) out[key] = value;
  return out;
}
