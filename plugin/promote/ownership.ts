/**
 * Before `--apply` writes a NetworkPolicy, whose is the one already there under that name? The
 * plugin always applies as field manager "kguardian", so server-side apply alone would let a
 * promotion from one source silently take over a NetworkPolicy promoted from another (an
 * AuditNetworkPolicy and an AuditClusterNetworkPolicy of the same name), and would merge into a
 * NetworkPolicy someone wrote by hand wherever their fields do not collide. So an existing
 * NetworkPolicy is replaced only when its kguardian.dev/promoted-from annotation names the same
 * source (any generation: re-promoting an edited policy is the point), or with --overwrite.
 * All or nothing, like the safety gate: one refusal and nothing is applied (exit 4).
 */
import type { CliIO } from '../io.js';
import type { AuditApi } from '../kube/audit-api.js';
import { PROMOTED_FROM, type NetworkPolicyObject } from './strip.js';

/** "AuditClusterNetworkPolicy/NAME@3" -> "AuditClusterNetworkPolicy/NAME": the source without its generation. */
export function sourceWithoutGeneration(ref: string): string {
  const at = ref.lastIndexOf('@');
  return at < 0 ? ref : ref.slice(0, at);
}

export interface Takeover {
  np: NetworkPolicyObject;
  /** The existing object's kguardian.dev/promoted-from, or undefined when it has none. */
  current: string | undefined;
}

/** The NetworkPolicies that exist under the same namespace/name and came from elsewhere. */
export async function findTakeovers(nps: readonly NetworkPolicyObject[], api: AuditApi): Promise<Takeover[]> {
  const out: Takeover[] = [];
  for (const np of nps) {
    const existing = await api.readNetworkPolicy(np.metadata.namespace, np.metadata.name);
    if (!existing) continue;
    const current = existing.annotations[PROMOTED_FROM];
    const wanted = np.metadata.annotations?.[PROMOTED_FROM] ?? '';
    if (current !== undefined && sourceWithoutGeneration(current) === sourceWithoutGeneration(wanted)) continue;
    out.push({ np, current });
  }
  return out;
}

function describeTakeover({ np, current }: Takeover): string {
  const { namespace, name } = np.metadata;
  const source = sourceWithoutGeneration(np.metadata.annotations?.[PROMOTED_FROM] ?? '');
  const whose = current === undefined ? `it was not promoted by kguardian (no ${PROMOTED_FROM} annotation)` : `it was promoted from ${current} (${PROMOTED_FROM}), not from ${source}`;
  return `NetworkPolicy ${namespace}/${name} already exists and ${whose}; see it with: kubectl get networkpolicy ${name} -n ${namespace} -o yaml`;
}

/** Reports each takeover on stderr; true when applying may go ahead. */
export async function checkOwnership(nps: readonly NetworkPolicyObject[], api: AuditApi, overwrite: boolean, io: CliIO): Promise<boolean> {
  const takeovers = await findTakeovers(nps, api);
  if (takeovers.length === 0) return true;
  if (overwrite) {
    for (const t of takeovers) io.stderr.write(`warning: replacing (--overwrite): ${describeTakeover(t)}\n`);
    return true;
  }
  for (const t of takeovers) io.stderr.write(`error: refusing to apply: ${describeTakeover(t)}\n`);
  io.stderr.write('Nothing was applied. Rename or remove the existing NetworkPolicy, or pass --overwrite to replace it (with --force-conflicts too when another field manager set its fields).\n');
  return false;
}
