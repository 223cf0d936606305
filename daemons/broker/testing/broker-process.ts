/**
 * The broker as a separate process, for the reliability tests and the benchmarks: a throwaway PostgreSQL
 * (scripts/postgres.sh), a broker started as a separate process (so the load generator does not
 * share its event loop), and an HTTP poster with keep-alive connections.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Postgres {
  url: string;
  dir: string;
  /** Stops the server and deletes the cluster. */
  stop(): void;
  /** Stops the server, keeping the cluster. */
  halt(): void;
  /** Starts a halted server again, on the same port. */
  resume(): void;
}

export function startPostgres(): Postgres {
  const out = execFileSync('bash', [`${ROOT}scripts/postgres.sh`, 'start'], { encoding: 'utf8' });
  const url = /DATABASE_URL=(\S+)/.exec(out)?.[1];
  const dir = /PGDIR=(\S+)/.exec(out)?.[1];
  if (!url || !dir) throw new Error(`postgres.sh start printed: ${out}`);
  return {
    url,
    dir,
    stop: () => execFileSync('bash', [`${ROOT}scripts/postgres.sh`, 'stop', dir], { stdio: 'inherit' }),
    halt: () => execFileSync('bash', [`${ROOT}scripts/postgres.sh`, 'halt', dir], { stdio: 'inherit' }),
    resume: () => execFileSync('bash', [`${ROOT}scripts/postgres.sh`, 'resume', dir], { stdio: 'inherit' }),
  };
}

/** Creates database `name` on the server of `url` and returns its URL. */
export async function createDatabase(url: string, name: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export function freePort(): number {
  return Number(execFileSync('node', ['-e', "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"], { encoding: 'utf8' }).trim());
}

export interface Broker {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the broker wrote to stderr (JSON log lines). */
  log(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `daemons/broker/main.ts` in its own process and waits until /readyz answers 200. `root` is
 * the checkout whose broker runs (another commit's, to compare two side by side), this one by default.
 */
export async function startBroker(env: Record<string, string>, port = freePort(), nodeArgs: string[] = [], root = ROOT): Promise<Broker> {
  const child = spawn('node', [...nodeArgs, '--import', 'tsx', 'daemons/broker/main.ts'], {
    cwd: root,
    env: { ...process.env, AUTH_MODE: 'none', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`broker exited with ${child.exitCode}: ${log}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`broker not ready after 60 s: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    child,
    log: () => log,
    kill: (signal: NodeJS.Signals = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => {
          resolve();
        });
        child.kill(signal);
      }),
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs a JSON body; resolves with the status and body text, rejects on network errors. */
export function postJson(url: string, body: string, timeoutMs = 30_000): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** A generated observation: a load pod's connection to a Service backend port. */
export interface GeneratedObservation {
  srcIp: string;
  srcPod: string;
  dstIp: string;
  dstPort: number;
  at: string;
  count: number;
  node: string;
}

/** One observation as JSON text, built by hand: the generator must stay far cheaper than the broker. */
export function observationJson(o: GeneratedObservation): string {
  const { srcIp, srcPod, dstIp, dstPort, at, count, node } = o;
  return `{"src":{"ip":"${srcIp}","port":${40000 + (dstPort % 20000)},"kind":"pod","namespace":"load","pod":"${srcPod}"},"dst":{"ip":"${dstIp}","port":${dstPort},"kind":"pod","namespace":"svc","pod":"svc-${dstPort % 97}"},"protocol":"TCP","direction":"Egress","state":"established","firstSeen":"${at}","lastSeen":"${at}","count":${count},"node":"${node}"}`;
}

export function batchJson(batchId: string, node: string, flowsJson: string): string {
  return `{"batchId":"${batchId}","node":"${node}","flows":${flowsJson}}`;
}
