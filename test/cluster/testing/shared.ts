/**
 * The cluster the `cluster` project's global setup (testing/setup.ts) brought up and installed
 * kguardian into, as a test file reads it.
 */
import { inject } from 'vitest';
import { Cluster, clusterEnv } from './cluster.js';
import type { Images } from './kguardian.js';

export interface SharedCluster {
  cluster: Cluster;
  images: Images;
  /** scripts/cluster.sh --dir of the shared cluster (its PKI, logs, kubeconfig). */
  dir: string;
}

export async function sharedCluster(): Promise<SharedCluster> {
  const dir = inject('clusterDir');
  return { cluster: new Cluster(await clusterEnv(dir)), images: inject('clusterImages'), dir };
}
