/**
 * The real cluster's fixed names and addresses as scripts/cluster.sh itself reads them: bash
 * sources scripts/lib/cluster.sh and prints every kgc_* variable, so a test checks the values the
 * script uses, not a copy of them. Needs bash only (no root, no cluster).
 */
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../../../playground/paths.js';

export const CLUSTER_LIB = `${REPO_ROOT}scripts/lib/cluster.sh`;
export const CLUSTER_SCRIPT = `${REPO_ROOT}scripts/cluster.sh`;

/** kgc_* variable -> value (arrays joined with spaces). */
export function clusterConfig(): Record<string, string> {
  const out = execFileSync('bash', ['-c', 'source "$1"; for v in $(compgen -v kgc_); do eval "printf \'%s=%s\\n\' \\"\\$v\\" \\"\\${$v[*]}\\""; done', 'config', CLUSTER_LIB], { encoding: 'utf8' });
  return Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}
