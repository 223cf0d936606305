/**
 * Counted TCP conversations between two real pods, and what the broker stored of them.
 *
 * The server is agnhost `porter` listening on a range of ports; the client is a bash loop in an
 * agnhost pod (`kubectl exec`) that opens one connection to each port in turn, each with its own
 * destination port, so each connection is a flow key of its own: the broker must hold exactly one
 * Egress row (seen at the client) and one Ingress row (seen at the server) of count 1 for each
 * port the client reached, and none for the others. A lost connection is a port without a row, a
 * doubled one a count of 2. The loop notes the time before and after each connect (bash's
 * EPOCHREALTIME, the host's clock) so a test can say when each one happened.
 */
import { spawn } from 'node:child_process';
import type { Cluster } from './cluster.js';

export const NAMESPACE = 'faults';

/** One attempt of the client loop. */
export interface Connection {
  port: number;
  ok: boolean;
  /** Host clock (ms) just before connect() and just after it returned. */
  startMs: number;
  endMs: number;
}

/** The workloads: the client, and one porter server per name with its port range. */
export function workloadManifest(image: string, servers: { name: string; ports: [number, number] }[]): string {
  const pod = (name: string, labels: Record<string, string>, container: Record<string, unknown>): unknown => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NAMESPACE, labels },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'agnhost', image, imagePullPolicy: 'Never', ...container }] },
  });
  const env = (from: number, to: number): { name: string; value: string }[] =>
    Array.from({ length: to - from }, (_, i) => ({ name: `SERVE_TCP_PORT_${String(from + i)}`, value: 'ok' }));
  return JSON.stringify({
    apiVersion: 'v1', kind: 'List', items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
      pod('client', { app: 'client' }, { args: ['pause'] }),
      ...servers.map((s) => pod(s.name, { app: s.name }, { args: ['porter'], env: env(s.ports[0], s.ports[1]) })),
    ],
  });
}

// $1 address, $2 first port, $3 past the last port, $4 connections in all (the ports in turn,
// again from the first when more than the range), $5 pause between connections (s), $6 stop file.
const LOOP = `for ((i = 0; i < $4; i++)); do
  [ -e "$6" ] && break
  p=$(($2 + i % ($3 - $2)))
  t0=$EPOCHREALTIME
  if (exec 3<>"/dev/tcp/$1/$p") 2>/dev/null; then r=ok; else r=fail; fi
  echo "$r $p $t0 $EPOCHREALTIME"
  [ "$5" = 0 ] || sleep "$5"
done
echo end`;

const toMs = (s: string): number => Math.round(Number(s) * 1000);

/**
 * A running client loop: connections to ports [from, to) of `ip` in turn, one every `pauseS`
 * seconds, `total` in all (by default each port once).
 */
export class ClientLoop {
  readonly connections: Connection[] = [];
  private readonly stopFile = `/tmp/stop-${String(process.hrtime.bigint())}`;
  private readonly finished: Promise<void>;
  private waiters: (() => void)[] = [];

  /** Connects to `ip` on ports [from, to), `pauseS` apart; `total` ports (to - from when absent) before it stops by itself. */
  constructor(private readonly cluster: Cluster, ip: string, ports: { from: number; to: number; total?: number }, pauseS: number) {
    const { from, to, total = to - from } = ports;
    const child = spawn(cluster.env.KUBECTL, ['--kubeconfig', cluster.env.KUBECONFIG, '-n', NAMESPACE, 'exec', 'client', '--',
      'bash', '-c', LOOP, 'loop', ip, String(from), String(to), String(total), String(pauseS), this.stopFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let stderr = '';
    let ended = false;
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [r, port, t0, t1] = line.split(' ');
        if (r === 'end') ended = true;
        else if (port && t0 && t1) this.connections.push({ port: Number(port), ok: r === 'ok', startMs: toMs(t0), endMs: toMs(t1) });
      }
      for (const w of this.waiters) w();
    });
    this.finished = new Promise((resolve, reject) => {
      child.on('exit', (code) => {
        if (ended) resolve();
        else reject(new Error(`the client loop ended early (kubectl exec exit ${String(code)}): ${stderr.trim()}`));
      });
    });
    this.finished.catch(() => undefined);
  }

  /** Resolves once `n` more connections than now were made (the loop's own pace). */
  async more(n: number): Promise<void> {
    const target = this.connections.length + n;
    while (this.connections.length < target) {
      await Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), this.finished.then(() => {
        throw new Error(`the client loop ran out of ports after ${String(this.connections.length)} connections (wanted ${String(target)})`);
      })]);
      this.waiters = [];
    }
  }

  /** Stops the loop after its current connection; returns every attempt. */
  async stop(): Promise<Connection[]> {
    await this.cluster.kubectl(['-n', NAMESPACE, 'exec', 'client', '--', 'touch', this.stopFile]);
    await this.finished;
    return this.connections;
  }
}

/** A flow row as GET /v1/flows returns it (the fields used here). */
export interface FlowRow {
  src: { namespace?: string; pod?: string; port: number };
  dst: { namespace?: string; pod?: string; port: number };
  protocol: string;
  direction: 'Ingress' | 'Egress';
  state: string;
  count: number;
}

/** Sums of stored counts per destination port, for conversations from the client to `server`. */
export interface PortCounts {
  egress: Map<number, number>;
  ingress: Map<number, number>;
}

export function countsByPort(rows: FlowRow[], server: string): PortCounts {
  const out: PortCounts = { egress: new Map(), ingress: new Map() };
  for (const r of rows) {
    if (r.protocol !== 'TCP' || r.src.namespace !== NAMESPACE || r.src.pod !== 'client' || r.dst.namespace !== NAMESPACE || r.dst.pod !== server) continue;
    const m = r.direction === 'Egress' ? out.egress : out.ingress;
    m.set(r.dst.port, (m.get(r.dst.port) ?? 0) + r.count);
  }
  return out;
}

/** What the broker holds of a set of connections: ports seen once, twice or more, and not at all (per side). */
export interface Reconciled {
  missingEgress: number[];
  missingIngress: number[];
  /** Ports with a count above 1, or with a row although the client did not reach them. */
  wrong: string[];
}

/** Compares the connections of one loop, over its port range [from, to), with the stored counts. */
export function reconcile(connections: Connection[], counts: PortCounts, [from, to]: readonly [number, number]): Reconciled {
  const reached = new Set(connections.filter((c) => c.ok).map((c) => c.port));
  const wrong: string[] = [];
  for (const [side, m] of [['Egress', counts.egress], ['Ingress', counts.ingress]] as const) {
    for (const [port, n] of m) {
      if (port < from || port >= to) continue;
      if (!reached.has(port) || n !== 1) wrong.push(`${side} port ${String(port)}: count ${String(n)}${reached.has(port) ? '' : ' (never reached)'}`);
    }
  }
  return {
    missingEgress: [...reached].filter((p) => !counts.egress.has(p)).sort((a, b) => a - b),
    missingIngress: [...reached].filter((p) => !counts.ingress.has(p)).sort((a, b) => a - b),
    wrong,
  };
}
