/**
 * Recorded traffic, for a machine without root (no eBPF, no network namespaces): the flows a real
 * kernel run of the scenario stored (`--record FILE` saves them from the broker's GET /v1/flows),
 * replayed into the broker's POST /v1/flows with their times moved to now, so they fall inside
 * the evaluator's window. The pods are registered with the addresses of the recording.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { FlowObservation } from '../contracts/flow-batch.js';
import type { StoredFlow } from '../daemons/broker/store/types.js';
import { REPO_ROOT } from './paths.js';

export const RECORDING = `${REPO_ROOT}playground/recorded/shop-flows.json`;

export interface Recording {
  /** How it was made, for the reader of the file. */
  source: string;
  /** Pod name -> the address it had in the recording. */
  pods: Record<string, string>;
  flows: FlowObservation[];
}

function observation(f: StoredFlow): FlowObservation {
  const strip = (e: StoredFlow['src']): FlowObservation['src'] => {
    const copy = { ...e };
    delete copy.podUid;
    return copy;
  };
  return { src: strip(f.src), dst: strip(f.dst), protocol: f.protocol, direction: f.direction, state: f.state, firstSeen: f.firstSeen, lastSeen: f.lastSeen, count: f.count, node: f.node };
}

/** Saves the broker's flows between the given pods' addresses. */
export async function record(brokerUrl: string, pods: Record<string, string>, file: string): Promise<number> {
  const page = (await (await fetch(`${brokerUrl}/v1/flows?limit=5000`)).json()) as { flows: StoredFlow[] };
  const ours = new Set(Object.values(pods));
  const flows = page.flows.filter((f) => ours.has(f.src.ip) && ours.has(f.dst.ip)).map(observation);
  const rec: Recording = { source: `playground kernel run, ${new Date().toISOString()}`, pods, flows };
  writeFileSync(file, `${JSON.stringify(rec, null, 1)}\n`);
  return flows.length;
}

export function loadRecording(file = RECORDING): Recording {
  return JSON.parse(readFileSync(file, 'utf8')) as Recording;
}

/** Posts the recording as one batch, its newest observation at `now`; resolves with the flows sent. */
export async function replay(brokerUrl: string, rec: Recording, now = Date.now()): Promise<number> {
  const newest = Math.max(...rec.flows.map((f) => Date.parse(f.lastSeen)));
  const shift = (t: string): string => new Date(Date.parse(t) - newest + now).toISOString();
  const flows = rec.flows.map((f) => ({ ...f, firstSeen: shift(f.firstSeen), lastSeen: shift(f.lastSeen) }));
  const node = flows[0]?.node ?? 'kg-node';
  const r = await fetch(`${brokerUrl}/v1/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ batchId: randomUUID(), node, flows }) });
  if (!r.ok) throw new Error(`POST /v1/flows answered ${r.status}: ${await r.text()}`);
  return flows.length;
}
