/**
 * The environment a rendered container would start with, as the kubelet builds it: fieldRefs and
 * secretKeyRefs from given samples, then `$(NAME)` references to earlier variables expanded.
 */
import type { Container } from './workload.js';

export interface EnvSamples {
  fields: Record<string, string>;
  /** Keyed "secretName/key". */
  secrets: Record<string, string>;
}

export function containerEnv(container: Container, samples: EnvSamples): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    let value = e.value;
    const field = e.valueFrom?.fieldRef?.fieldPath;
    const secret = e.valueFrom?.secretKeyRef;
    if (field !== undefined) value = samples.fields[field];
    if (secret) value = samples.secrets[`${secret.name}/${secret.key}`];
    if (value === undefined) throw new Error(`${container.name}: no sample for env ${e.name}`);
    env[e.name] = value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (ref, name: string) => env[name] ?? ref);
  }
  return env;
}
