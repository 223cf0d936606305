/**
 * Vitest global setup of the `cluster` project: one real cluster (scripts/cluster.sh up) with
 * kguardian installed in it as docs/install.md tells a user (testing/kguardian.ts), shared by
 * every test file of the project, then `down` after the last. Bringing it up once per run instead
 * of once per file saves the start-up and the install (minutes on 2 cores) for each file.
 *
 * Files read it with sharedCluster() (testing/shared.ts). A file that changes the cluster
 * (deletes kguardian's pods, adds workloads) leaves it as it found it, or in a state the next
 * file can use: the files run one at a time, in no guaranteed order.
 *
 * The figures of the start (up, image import, install until every pod is Ready) go to stderr,
 * for docs and for the stage's time budget.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { Cluster, clusterEnv, clusterScript } from './cluster.js';
import { installKguardian, loadImages, type Images } from './kguardian.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder of the shared cluster (scripts/cluster.sh --dir). */
    clusterDir: string;
    /** Image name -> reference, as imported into the cluster's containerd. */
    clusterImages: Images;
  }
}

/** What the shared cluster runs; the workload image is agnhost. */
export const CLUSTER_IMAGES = ['kguardian-broker', 'kguardian-evaluator', 'kguardian-agent', 'postgres', 'agnhost'];

/**
 * The host's cgroup v2 mount, for the chart's agent.hostCgroupRoot: /sys/fs/cgroup on a unified
 * host, /sys/fs/cgroup/unified on a hybrid one (v1 controllers beside cgroup2).
 */
export function hostCgroupRoot(): string {
  return existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified';
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.getuid?.() !== 0) throw new Error('the real-cluster tests need root (scripts/cluster.sh runs a kubelet, containerd and kube-proxy)');
  const dir = await mkdtemp(join(tmpdir(), 'kgc-shared-'));
  const down = async (): Promise<void> => {
    await clusterScript(['down'], dir);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    let t = Date.now();
    await clusterScript(['up'], dir);
    const cluster = new Cluster(await clusterEnv(dir));
    process.stderr.write(`cluster: up in ${seconds(t)}\n`);
    t = Date.now();
    const images = await loadImages(cluster, CLUSTER_IMAGES);
    process.stderr.write(`cluster: images imported in ${seconds(t)}\n`);
    t = Date.now();
    await installKguardian(cluster, images, hostCgroupRoot());
    process.stderr.write(`cluster: kguardian installed, every pod Ready, in ${seconds(t)}\n`);
    project.provide('clusterDir', dir);
    project.provide('clusterImages', images);
  } catch (err) {
    await down();
    throw err;
  }
  return down;
}
