/**
 * kguardian installed into a scripts/cluster.sh cluster as docs/install.md tells a user: the
 * namespace labelled for privileged pods, `helm install` of deploy/helm/kguardian with the images
 * scripts/images.sh built (imported into the cluster's containerd, as a registry pull would put
 * them there), and `kubectl rollout status` on what the chart made.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CHART, helmBin } from '../../../deploy/testing/helm.js';
import { REPO_ROOT } from '../../../playground/paths.js';
import type { Cluster } from './cluster.js';

const run = promisify(execFile);

/** The cluster's Service ranges (scripts/lib/cluster.sh), for agent.serviceCIDRs. */
export const SERVICE_CIDRS = ['10.254.16.0/20', 'fd6b:6763:0:16::/112'];

export interface Images { [name: string]: string }

/** Builds (when not cached) and imports the named images; returns NAME -> reference. */
export async function loadImages(cluster: Cluster, names: string[]): Promise<Images> {
  const script = `${REPO_ROOT}scripts/images.sh`;
  await run('bash', [script, 'load', '--containerd-address', cluster.env.CONTAINERD_ADDRESS, ...names], { maxBuffer: 64 * 1024 * 1024, timeout: 60 * 60_000 });
  const { stdout } = await run('bash', [script, 'list', ...names]);
  return Object.fromEntries(stdout.trim().split('\n').map((l) => l.split(' ').slice(0, 2) as [string, string]));
}

/** The tag part of a reference (kguardian.local/NAME:TAG). */
export function tagOf(ref: string): string {
  return ref.slice(ref.lastIndexOf(':') + 1);
}

export async function installKguardian(cluster: Cluster, images: Images, hostCgroupRoot: string): Promise<void> {
  await cluster.kubectl(['create', 'namespace', 'kguardian']);
  await cluster.kubectl(['label', 'namespace', 'kguardian', 'pod-security.kubernetes.io/enforce=privileged']);
  const broker = images['kguardian-broker'];
  const postgres = images.postgres;
  if (!broker || !postgres) throw new Error('the kguardian-broker and postgres images are needed');
  await run(helmBin(), [
    'install', 'kguardian', CHART, '-n', 'kguardian', '--kubeconfig', cluster.env.KUBECONFIG,
    '--set', 'image.registry=kguardian.local',
    '--set', `image.tag=${tagOf(broker)}`,
    '--set', `agent.serviceCIDRs={${SERVICE_CIDRS.join(',')}}`,
    '--set', `postgresql.image=${postgres}`,
    '--set', `agent.hostCgroupRoot=${hostCgroupRoot}`,
  ], { maxBuffer: 16 * 1024 * 1024, timeout: 5 * 60_000 });
  await cluster.kubectl(['-n', 'kguardian', 'rollout', 'status', '--timeout=600s',
    'statefulset/kguardian-postgresql', 'deploy/kguardian-broker', 'deploy/kguardian-evaluator', 'ds/kguardian-agent']);
}
