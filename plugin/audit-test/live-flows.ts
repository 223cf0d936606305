/**
 * The broker's recorded flows as `audit test --flows` input: GET /v1/flows since a time, paged
 * with its cursor, reduced to distinct (source, destination, protocol, port) (the broker keeps one
 * row per flow and minute, and the verdict does not depend on when), written as the JSON Lines
 * that load-flows.ts reads. A long read reports progress on stderr.
 */
import type { BrokerClient } from '../broker/client.js';
import type { FlowPage, StoredFlow } from '../broker/types.js';
import type { Source } from '../input/read-source.js';
import type { CliIO } from '../io.js';
import { endName } from '../../contracts/flow-end-label.js';

const PAGE = 5000;
const PROGRESS_EVERY_PAGES = 4;

export function flowLine(f: StoredFlow): string {
  return JSON.stringify({ src: endName(f.src), dst: endName(f.dst), protocol: f.protocol, port: f.dst.port });
}

export async function readBrokerFlows(client: BrokerClient, sinceMs: number, since: string, io: CliIO, now = new Date()): Promise<Source> {
  const from = new Date(now.getTime() - sinceMs).toISOString();
  const lines = new Set<string>();
  let rows = 0;
  let cursor: number | undefined;
  for (let page = 1; ; page++) {
    const p = await client.getJson<FlowPage>('/v1/flows', { since: from, until: now.toISOString(), cursor, limit: PAGE });
    for (const f of p.flows) lines.add(flowLine(f));
    rows += p.flows.length;
    if (page % PROGRESS_EVERY_PAGES === 0) io.stderr.write(`reading recorded flows: ${rows} rows, ${lines.size} distinct so far...\n`);
    if (p.nextCursor === null || p.flows.length === 0) break;
    cursor = p.nextCursor;
  }
  if (rows >= PAGE * PROGRESS_EVERY_PAGES) io.stderr.write(`read ${rows} recorded flow rows (${lines.size} distinct flows)\n`);
  return { name: `broker flows (since ${since})`, text: [...lines].join('\n') };
}
