/**
 * Promoted policies as text: YAML (one document per policy, `---` between, which both
 * `kubectl apply -f -` and humans read) or JSON (one object, or a v1 List for several: kubectl
 * applies the items). A command that can match any number of policies (`audit promote --all`)
 * prints a v1 List in both formats however many matched, so a script reads one shape. Or, with -o name, one `networkpolicy.networking.k8s.io/NAME` line per
 * policy as kubectl prints them. --output-dir writes one file per policy, NAMESPACE.NAME.yaml (or
 * .json): a namespace is a DNS label and has no dot, so the first dot splits the two parts and no
 * two policies share a file (with a dash, team-a/db and team/a-db both made team-a-db.yaml).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { CliError, EXIT } from '../errors.js';
import { NETWORK_POLICY_RESOURCE, type FileFormat, type PromoteOutput } from './formats.js';
import type { NetworkPolicyObject } from './strip.js';

function one(np: NetworkPolicyObject, format: FileFormat): string {
  return format === 'json' ? JSON.stringify(np, null, 2) + '\n' : yaml.dump(np, { noRefs: true, lineWidth: -1, quotingType: '"' });
}

export function nameOf(np: NetworkPolicyObject): string {
  return `${NETWORK_POLICY_RESOURCE}/${np.metadata.name}`;
}

/** asList: always a v1 List (for --all), even of one policy. */
export function renderPolicies(nps: readonly NetworkPolicyObject[], format: PromoteOutput, asList = false): string {
  if (format === 'name') return nps.map((np) => nameOf(np) + '\n').join('');
  const list = { apiVersion: 'v1', kind: 'List', items: nps };
  if (format === 'yaml') return asList ? yaml.dump(list, { noRefs: true, lineWidth: -1, quotingType: '"' }) : nps.map((np) => one(np, 'yaml')).join('---\n');
  const [only] = nps;
  if (nps.length === 1 && only && !asList) return one(only, 'json');
  return JSON.stringify(list, null, 2) + '\n';
}

export function fileName(np: NetworkPolicyObject, format: FileFormat): string {
  return `${np.metadata.namespace}.${np.metadata.name}.${format}`;
}

/** Two policies bound for one file (the same namespace/name twice): refused before anything is written. */
function refuseSharedFiles(dir: string, nps: readonly NetworkPolicyObject[], format: FileFormat): void {
  const first = new Map<string, NetworkPolicyObject>();
  for (const np of nps) {
    const name = fileName(np, format);
    const earlier = first.get(name);
    if (earlier) {
      throw new CliError(
        `--output-dir ${dir}: NetworkPolicy ${earlier.metadata.namespace}/${earlier.metadata.name} and NetworkPolicy ${np.metadata.namespace}/${np.metadata.name} would both be written to ${join(dir, name)}; nothing was written`,
        EXIT.failure,
      );
    }
    first.set(name, np);
  }
}

/** Writes one file per policy and returns their paths, in order. Files of earlier runs are replaced. */
export async function writePolicies(dir: string, cwd: string, nps: readonly NetworkPolicyObject[], format: FileFormat): Promise<string[]> {
  const root = resolve(cwd, dir);
  refuseSharedFiles(dir, nps, format);
  try {
    await mkdir(root, { recursive: true });
    const paths: string[] = [];
    for (const np of nps) {
      const path = join(root, fileName(np, format));
      await writeFile(path, one(np, format));
      paths.push(join(dir, fileName(np, format)));
    }
    return paths;
  } catch (e) {
    throw new CliError(`--output-dir ${dir}: ${e instanceof Error ? e.message : String(e)}`, EXIT.failure);
  }
}
