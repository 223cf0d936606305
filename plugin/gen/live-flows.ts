/**
 * The broker's recorded flows of one time window as `gen networkpolicy --flows` lines. The broker
 * keeps a row per flow and time bucket; the generator needs each distinct flow once, with how often
 * and from when to when it was seen (rule provenance, thin-evidence warnings), so rows are summed
 * per (source, destination, protocol, port): count added up, firstSeen the earliest, lastSeen the
 * latest. A long read reports progress on stderr.
 */
import type { BrokerClient } from '../broker/client.js';
import type { FlowPage, StoredFlow } from '../broker/types.js';
import type { Source } from '../input/read-source.js';
import type { CliIO } from '../io.js';
import { endName } from '../../contracts/flow-end-label.js';

const PAGE = 5000;
const PROGRESS_EVERY_PAGES = 4;

interface Seen {
  firstSeen: string;
  lastSeen: string;
  count: number;
}

function flowKey(f: StoredFlow): string {
  return JSON.stringify({ src: endName(f.src), dst: endName(f.dst), protocol: f.protocol, port: f.dst.port });
}

function merge(seen: Seen | undefined, f: StoredFlow): Seen {
  if (!seen) return { firstSeen: f.firstSeen, lastSeen: f.lastSeen, count: f.count };
  return {
    firstSeen: Date.parse(f.firstSeen) < Date.parse(seen.firstSeen) ? f.firstSeen : seen.firstSeen,
    lastSeen: Date.parse(f.lastSeen) > Date.parse(seen.lastSeen) ? f.lastSeen : seen.lastSeen,
    count: seen.count + f.count,
  };
}

/** A window of time, ms since the epoch: [from, to]. */
export interface TimeWindow {
  from: number;
  to: number;
}

/** Flows seen in `window`, one line per distinct flow; `keep` leaves rows out before they are summed. */
export async function readBrokerWindow(client: BrokerClient, window: TimeWindow, name: string, io: CliIO, keep: (f: StoredFlow) => boolean = () => true): Promise<Source> {
  const { from, to } = window;
  const flows = new Map<string, Seen>();
  let rows = 0;
  let cursor: number | undefined;
  for (let page = 1; ; page++) {
    const p = await client.getJson<FlowPage>('/v1/flows', { since: new Date(from).toISOString(), until: new Date(to).toISOString(), cursor, limit: PAGE });
    for (const f of p.flows) if (keep(f)) flows.set(flowKey(f), merge(flows.get(flowKey(f)), f));
    rows += p.flows.length;
    if (page % PROGRESS_EVERY_PAGES === 0) io.stderr.write(`reading recorded flows: ${rows} rows, ${flows.size} distinct so far...\n`);
    if (p.nextCursor === null || p.flows.length === 0) break;
    cursor = p.nextCursor;
  }
  const lines = [...flows].map(([key, seen]) => `${key.slice(0, -1)},"firstSeen":${JSON.stringify(seen.firstSeen)},"lastSeen":${JSON.stringify(seen.lastSeen)},"count":${seen.count}}`);
  return { name, text: lines.sort().join('\n') };
}
