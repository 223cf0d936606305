/**
 * Fills in what `gen networkpolicy` was not given: the live cluster for a missing --cluster, the
 * broker's flows of the last --since for a missing --flows (with --holdout, the held-out window is
 * read as its own window, so no flow of it leaks into learning). A given file still wins.
 */
import { brokerClient } from '../broker/client.js';
import { openBroker } from '../broker/connect.js';
import { lazyKube, type LazyKube } from '../broker/kube-loader.js';
import { formatDuration } from '../../runtime/duration.js';
import { CliError, EXIT } from '../errors.js';
import { readSource, type Source } from '../input/read-source.js';
import type { CliIO } from '../io.js';
import { readGenLiveCluster } from './live-cluster.js';
import { readBrokerWindow } from './live-flows.js';
import { holdoutProblem, type GenInputs, type GenOptions } from './options.js';

async function liveCluster(opts: GenOptions, kube: LazyKube, io: CliIO): Promise<Source> {
  if (opts.cluster !== undefined) return readSource(opts.cluster, io);
  const kc = await kube.load(true);
  const conn = kube.connection();
  if (!kc || !conn) throw new CliError('no cluster to read: pass --cluster FILE');
  return readGenLiveCluster(kc, conn.context, conn.server, io);
}

async function brokerFlows(opts: GenOptions, kube: LazyKube, io: CliIO, now: number): Promise<Pick<GenInputs, 'flows' | 'heldOut' | 'source'>> {
  if (opts.flows !== undefined) {
    const flows = await readSource(opts.flows, io);
    return { flows, source: flows.name };
  }
  if (!opts.broker) throw new CliError('no flows to learn from: pass --flows FILE');
  const conn = await openBroker(opts.broker, io, kube.load);
  try {
    const client = brokerClient(conn);
    const from = now - opts.sinceMs;
    const source = `broker flows since ${opts.since}`;
    if (opts.holdoutMs === undefined) return { flows: await readBrokerWindow(client, { from, to: now }, source, io), source };
    const split = now - opts.holdoutMs;
    // genOptions refuses this before anything is contacted; a caller that built its own options gets the same answer.
    if (split <= from) throw new CliError(holdoutProblem(opts, formatDuration(opts.holdoutMs)) ?? '--holdout leaves nothing to learn from', EXIT.badInput);
    const flows = await readBrokerWindow(client, { from, to: split }, source, io);
    const heldOut = await readBrokerWindow(client, { from: split, to: now }, `broker flows of the held-out window`, io);
    return { flows, heldOut: { flows: heldOut, from: split, to: now }, source };
  } finally {
    await conn.close();
  }
}

export async function readGenLiveInputs(opts: GenOptions, io: CliIO, now = Date.now()): Promise<GenInputs> {
  const kube = lazyKube(opts.kube ?? {}, io);
  const cluster = await liveCluster(opts, kube, io);
  const flows = await brokerFlows(opts, kube, io, now);
  const contextNamespace = kube.connection()?.namespace;
  return { cluster, ...flows, ...(contextNamespace !== undefined ? { contextNamespace } : {}) };
}
