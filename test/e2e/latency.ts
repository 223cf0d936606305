/**
 * The kernel-to-`verdicts --watch` latency: each paced connection goes to its own port, so the
 * first verdict naming that port is the one that reports it; its arrival time minus the moment
 * connect() was called is that connection's latency.
 */
import type { Arrival } from './verdict-watch.js';

export interface Connection {
  port: number;
  at: number;
}

export interface LatencySummary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function latencies(connections: readonly Connection[], arrivals: readonly Arrival[]): number[] {
  const first = new Map<number, number>();
  for (const a of arrivals) if (!first.has(a.verdict.port)) first.set(a.verdict.port, a.at);
  return connections.map((c) => (first.get(c.port) ?? Number.NaN) - c.at);
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

export function summarise(ms: readonly number[]): LatencySummary {
  const sorted = [...ms].sort((a, b) => a - b);
  return { n: sorted.length, p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
}
