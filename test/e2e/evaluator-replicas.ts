/**
 * What each evaluator replica says about itself on /metrics: whether it holds the Lease and how
 * many status patches it made. With two replicas, exactly one leads and only it writes status.
 */
import type { Started } from '../../playground/components.js';

export interface ReplicaReport {
  url: string;
  leader: number;
  statusWritten: number;
}

/** The value of one sample, `name{labels} value`; 0 when the replica never recorded it. */
export function sample(text: string, name: string, labels = ''): number {
  const prefix = labels === '' ? `${name} ` : `${name}{${labels}} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? 0 : Number(line.slice(prefix.length));
}

export async function replicaReports(replicas: readonly Started[]): Promise<ReplicaReport[]> {
  return Promise.all(
    replicas.map(async (r) => {
      const text = await (await fetch(`${r.url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      return {
        url: r.url,
        leader: sample(text, 'kguardian_evaluator_leader'),
        statusWritten: sample(text, 'kguardian_evaluator_status_writes_total', 'result="written"'),
      };
    }),
  );
}
