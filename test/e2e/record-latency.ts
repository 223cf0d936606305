/**
 * Writes the e2e latency into docs/BENCHMARKS.md's `e2e` section (bench/lib/record.ts), only when
 * the run asks for it (KG_E2E_RECORD=1, as bench/e2e-latency.bench.sh sets), so the test suite
 * never edits a tracked file.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { machineLine, recordSection } from '../../bench/lib/record.js';
import type { LatencySummary } from './latency.js';

export interface LatencyLoad {
  connections: number;
  gapMs: number;
  bucketMs: number;
}

export function recordLatency(s: LatencySummary, load: LatencyLoad): void {
  const kernel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
  const verdict = s.p99 < 2000 ? 'met' : '**not met**';
  recordSection(
    'e2e',
    `## End to end: a connection in the kernel to its verdict in \`kubectl kguardian verdicts --watch\` (\`test/e2e/pipeline.e2e.test.ts\`, \`bench/e2e-latency.bench.sh\`)

Machine: ${machineLine()}; kernel ${kernel}; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')} (the 2 cores are shared with other work).
Pipeline: netns pods -> kg-loader (eBPF, its default options) -> agent (KG_BUCKET_MS=${load.bucketMs}, the chart's default) -> broker (PostgreSQL) -> evaluator -> broker -> \`verdicts --watch -o json\` (its own process, through the plugin), all on loopback, AUTH_MODE=none.
Load: ${load.connections} TCP connections from the frontend pod, one every ${load.gapMs} ms, each to its own port on payments (so each is its own flow and its own WouldDeny verdict); latency = arrival of the port's first verdict line in the watch minus the time connect() was called.
The agent aggregates repeats of a flow per \`KG_BUCKET_MS\` bucket, but ships a flow it did not see in the previous bucket at its next flush (every 500 ms), so a new connection does not wait for its bucket to end.

| figure | result | target |
|---|---|---|
| connections reported (each exactly once) | ${s.n} | all |
| p50 | ${s.p50} ms | |
| p90 | ${s.p90} ms | |
| p99 | **${s.p99} ms** | < 2000 ms (${verdict}) |
| max | ${s.max} ms | |`,
  );
}
