/**
 * The live cluster as a `gen networkpolicy --cluster` file: namespaces, pods, the workload
 * controllers and nodes the API server has now, written as the List that `kubectl get ... -o json`
 * prints, so the same reader (snapshot.ts) takes it. Nodes only add addresses (pods' hostIP
 * already gives most), so a user who may not list them still gets a result, with a warning.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { CliError } from '../errors.js';
import type { Source } from '../input/read-source.js';
import type { CliIO } from '../io.js';

type Item = Record<string, unknown>;

function tag(apiVersion: string, kind: string, items: object[]): Item[] {
  return items.map((o) => ({ ...o, apiVersion, kind }));
}

function failure(e: unknown, server: string): CliError {
  const code = (e as { code?: unknown }).code;
  if (code === 403)
    return new CliError(
      'forbidden to read the live cluster: gen networkpolicy needs list on namespaces, pods, deployments, replicasets, statefulsets, daemonsets, jobs and cronjobs cluster-wide (or save them and pass --cluster FILE)',
    );
  const why = typeof code === 'number' ? `HTTP ${code}` : (e as Error).message;
  return new CliError(`cannot read the live cluster at ${server}: ${why} (or pass --cluster FILE)`);
}

async function nodes(kc: KubeConfig, io: CliIO): Promise<Item[]> {
  const { CoreV1Api } = await import('@kubernetes/client-node');
  try {
    return tag('v1', 'Node', (await kc.makeApiClient(CoreV1Api).listNode()).items);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    io.stderr.write(`warning: cannot list nodes (${typeof code === 'number' ? `HTTP ${code}` : (e as Error).message}); node addresses come from the pods' hostIP only\n`);
    return [];
  }
}

export async function readGenLiveCluster(kc: KubeConfig, context: string, server: string, io: CliIO): Promise<Source> {
  const { AppsV1Api, BatchV1Api, CoreV1Api } = await import('@kubernetes/client-node');
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  let items: Item[];
  try {
    const [ns, pods, deploy, rs, sts, ds, jobs, cronjobs] = await Promise.all([
      core.listNamespace(),
      core.listPodForAllNamespaces(),
      apps.listDeploymentForAllNamespaces(),
      apps.listReplicaSetForAllNamespaces(),
      apps.listStatefulSetForAllNamespaces(),
      apps.listDaemonSetForAllNamespaces(),
      batch.listJobForAllNamespaces(),
      batch.listCronJobForAllNamespaces(),
    ]);
    items = [
      ...tag('v1', 'Namespace', ns.items),
      ...tag('v1', 'Pod', pods.items),
      ...tag('apps/v1', 'Deployment', deploy.items),
      ...tag('apps/v1', 'ReplicaSet', rs.items),
      ...tag('apps/v1', 'StatefulSet', sts.items),
      ...tag('apps/v1', 'DaemonSet', ds.items),
      ...tag('batch/v1', 'Job', jobs.items),
      ...tag('batch/v1', 'CronJob', cronjobs.items),
    ];
  } catch (e) {
    throw failure(e, server);
  }
  items.push(...(await nodes(kc, io)));
  return { name: `live cluster (context ${context})`, text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) };
}
