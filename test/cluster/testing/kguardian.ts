/**
 * kguardian installed into a scripts/cluster.sh cluster as docs/install.md tells a user: the
 * namespace labelled for privileged pods, `helm install` of deploy/helm/kguardian with the images
 * scripts/images.sh built (imported into the cluster's containerd, as a registry pull would put
 * them there), and `kubectl rollout status` on what the chart made.
 */
import { execFile } from 'node:child_process';
import { relative } from 'node:path';
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

/** What `kubectl rollout status` waits for after the install, as docs/install.md and the README say. */
export const ROLLOUT_TARGETS = ['statefulset/kguardian-postgresql', 'deploy/kguardian-broker', 'deploy/kguardian-evaluator', 'ds/kguardian-agent'];

/**
 * The values `helm install` gets: the two the docs' example sets (registry, Service ranges), with
 * this cluster's values, and the three this host needs beyond a usual cluster (README, "Install").
 */
export function installValues(images: Images, hostCgroupRoot: string): [string, string][] {
  const broker = images['kguardian-broker'];
  const postgres = images.postgres;
  if (!broker || !postgres) throw new Error('the kguardian-broker and postgres images are needed');
  return [
    ['image.registry', 'kguardian.local'],
    ['image.tag', tagOf(broker)],
    ['agent.serviceCIDRs', `{${SERVICE_CIDRS.join(',')}}`],
    ['postgresql.image', postgres],
    ['agent.hostCgroupRoot', hostCgroupRoot],
  ];
}

export interface InstallCommand { tool: 'kubectl' | 'helm'; args: string[] }

/** The install, command by command, as a user types it (test/unit/install-docs.test.ts holds the docs to it). */
export function installCommands(images: Images, hostCgroupRoot: string): InstallCommand[] {
  return [
    { tool: 'kubectl', args: ['create', 'namespace', 'kguardian'] },
    { tool: 'kubectl', args: ['label', 'namespace', 'kguardian', 'pod-security.kubernetes.io/enforce=privileged'] },
    { tool: 'helm', args: ['install', 'kguardian', relative(REPO_ROOT, CHART), '-n', 'kguardian',
      ...installValues(images, hostCgroupRoot).flatMap(([key, value]) => ['--set', `${key}=${value}`])] },
    { tool: 'kubectl', args: ['-n', 'kguardian', 'rollout', 'status', ...ROLLOUT_TARGETS] },
  ];
}

export async function installKguardian(cluster: Cluster, images: Images, hostCgroupRoot: string): Promise<void> {
  for (const { tool, args } of installCommands(images, hostCgroupRoot)) {
    if (tool === 'helm') {
      await run(helmBin(), [...args, '--kubeconfig', cluster.env.KUBECONFIG], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 5 * 60_000 });
    } else {
      // rollout status waits for ever by default; a test gives up after 10 minutes.
      await cluster.kubectl(args.includes('rollout') ? [...args, '--timeout=600s'] : args);
    }
  }
}
