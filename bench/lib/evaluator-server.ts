/**
 * The evaluator's HTTP app over the engine benchmark's cluster (engine-cluster.ts: 10,000 pods,
 * 1,000 audit and 1,000 enforced policies, fed to the model as its informers would), served on a
 * loopback port in a process of its own, so a benchmark can point a broker at it and read this
 * process's CPU time apart. Prints `listening PORT` once it answers.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { noAuth } from '../../runtime/auth/types.js';
import { silentLogger } from '../../runtime/logger.js';
import { ClusterIndex } from '../../daemons/evaluator/cluster/cluster-index.js';
import { createIndexedModel, indexOptions } from '../../daemons/evaluator/cluster/indexed-model.js';
import { createEvaluatorApp } from '../../daemons/evaluator/http/app.js';
import { createEvaluatorMetrics } from '../../daemons/evaluator/metrics.js';
import { namespaceObjects, podObjects, policyObjects } from './engine-cluster.js';

const index = new ClusterIndex(indexOptions());
for (const ns of namespaceObjects()) index.applyNamespace(ns);
for (const pod of podObjects(new Date(Date.now() - 86_400_000).toISOString())) index.applyPod(pod);
for (const p of policyObjects()) index.applyPolicy(p.kind, p);
const app = createEvaluatorApp({ model: createIndexedModel({ index }), auth: noAuth, metrics: createEvaluatorMetrics(), logger: silentLogger });
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
server.once('listening', () => {
  process.stdout.write(`listening ${String((server.address() as AddressInfo).port)}\n`);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
});
