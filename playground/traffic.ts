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

export async function udp(pod: NetnsPod, host: string, port: number, count: number): Promise<number> {
  const [r] = await client<{ sent: number; replies: number }>(pod, ['udp', host, port, count]);
  if (r?.replies !== count) throw new Error(`${pod.name} -> ${host}:${port}/UDP: ${JSON.stringify(r)}; expected ${count} answers`);
  return count;
}
