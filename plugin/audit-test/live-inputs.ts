/**
 * Fills in the inputs `audit test` was not given: the live cluster (via kube/connect.ts) for a
 * missing --cluster, the broker's recorded flows for a missing --flows. A given file still wins.
 */
import { brokerClient } from '../broker/client.js';
import { openBroker } from '../broker/connect.js';
import { lazyKube } from '../broker/kube-loader.js';
import type { AuditTestOptions } from './options.js';
import { CliError } from '../errors.js';
import type { Source } from '../input/read-source.js';
import type { CliIO } from '../io.js';
import { readLiveCluster } from './live-cluster.js';
import { readBrokerFlows } from './live-flows.js';

type ReadSource = (path: string, io: CliIO) => Promise<Source>;

async function liveCluster(opts: AuditTestOptions, kube: ReturnType<typeof lazyKube>, io: CliIO, readSource: ReadSource): Promise<Source> {
  if (opts.cluster !== undefined) return readSource(opts.cluster, io);
  const kc = await kube.load(true);
  const conn = kube.connection();
  if (!kc || !conn) throw new CliError('no cluster to read: pass --cluster FILE');
  return readLiveCluster(kc, conn.context, conn.server);
}

async function brokerFlows(opts: AuditTestOptions, sinceMs: number, kube: ReturnType<typeof lazyKube>, io: CliIO, readSource: ReadSource): Promise<Source> {
  if (opts.flows !== undefined) return readSource(opts.flows, io);
  if (!opts.broker) throw new CliError('no flows to replay: pass --flows FILE');
  const conn = await openBroker(opts.broker, io, kube.load);
  try {
    return await readBrokerFlows(brokerClient(conn), sinceMs, opts.since, io);
  } finally {
    await conn.close();
  }
}

export async function readLiveInputs(opts: AuditTestOptions, sinceMs: number, io: CliIO, readSource: ReadSource): Promise<{ cluster: Source; flows: Source }> {
  const kube = lazyKube(opts.kube ?? {}, io);
  const cluster = await liveCluster(opts, kube, io, readSource);
  const flows = await brokerFlows(opts, sinceMs, kube, io, readSource);
  return { cluster, flows };
}
