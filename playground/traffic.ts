/**
 * Drives playground/traffic-tool.ts inside the netns pods: servers as long-running processes
 * (stopped by the Cleanup), clients run to completion with their JSON summary parsed.
 */
import { join } from 'node:path';
import type { Cleanup } from './cleanup.js';
import { Daemon } from './daemon.js';
import type { NetnsPod } from './netns.js';
import { TRAFFIC_TOOL } from './paths.js';
import { run } from './run.js';

const inPod = (pod: NetnsPod, args: readonly (string | number)[]): string[] => ['netns', 'exec', pod.netns, process.execPath, '--import', 'tsx', TRAFFIC_TOOL, ...args.map(String)];

export async function serve(pod: NetnsPod, specs: string[], runDir: string, cleanup: Cleanup): Promise<Daemon> {
  const d = Daemon.spawn({ name: `server in ${pod.name} (${specs.join(' ')})`, cmd: 'ip', args: inPod(pod, ['serve', ...specs]), logFile: join(runDir, `serve-${pod.name}.log`) }, cleanup);
  await d.waitFor(`${pod.name} to listen`, () => d.lines.some((l) => l.startsWith('{"listening"')), 60_000);
  return d;
}

/** Runs a client command in `pod`; every JSON line it printed, the summary last. */
export async function client<T>(pod: NetnsPod, args: readonly (string | number)[]): Promise<T[]> {
  const out = await run('ip', inPod(pod, args));
  return out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}

export async function tcp(pod: NetnsPod, host: string, port: number, count: number): Promise<number> {
  const [r] = await client<{ established: number; failed: number }>(pod, ['tcp', host, port, count]);
  if (r?.established !== count) throw new Error(`${pod.name} -> ${host}:${port}: ${JSON.stringify(r)}; expected ${count} connections`);
  return count;
}

/** COUNT real DNS lookups of `name` from `pod` at `server`:53; the one address they all answered. */
export async function resolve(pod: NetnsPod, server: string, name: string, count: number): Promise<string> {
  const [r] = await client<{ lookups: number; answered: number; addresses: string[] }>(pod, ['resolve', server, name, count]);
  if (r?.answered !== count || r.addresses.length !== 1) throw new Error(`${pod.name} looking up ${name} at ${server}: ${JSON.stringify(r)}; expected ${count} answers with one address`);
  return r.addresses[0] ?? '';
}
