/**
 * One replay job's work: the main pass pages through the window in id order and the retry passes
 * come back to the rows that could not be written yet. Pages are pipelined: while the evaluator
 * judges several pages at once (`concurrency`), their writes commit strictly in page order, so the
 * job's cursor only ever moves forward over committed pages and a restart resumes from it.
 * Counting rules live with the SQL (store/replay-pages.ts).
 */
import type { EvaluateItem, EvaluatorClient, OnlyPolicy } from '../evaluator-client.js';
import type { PageWrite, ReplayFlow, ReplayJudgement, ReplayLease, ReplayStore } from '../store/replay-types.js';
import type { FlowEndpoint, FlowEvaluation } from '../../../policy/types.js';

export interface ReplayPassOptions {
  store: ReplayStore;
  client: EvaluatorClient;
  now: () => Date;
  pageSize: number;
  /** Pages being judged at once. */
  concurrency: number;
  leaseMs: number;
  /** How long after the job's creation rows with pending observations are visited again. */
  settleMs: number;
  /** First wait before revisiting rows under a live claim; doubles up to maxRetryDelayMs. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  signal: AbortSignal;
  /** Told the rows of each page stored (metrics). */
  onPage?: (rows: number, verdicts: number) => void;
}

function endpoint(e: ReplayFlow['src']): FlowEndpoint {
  return e.namespace !== '' && e.pod !== '' ? { ip: e.ip, namespace: e.namespace, pod: e.pod } : { ip: e.ip };
}

export function toReplayItem(f: ReplayFlow): EvaluateItem {
  return {
    id: f.id, observedAt: f.lastSeen, count: f.judged, direction: f.direction,
    flow: { src: endpoint(f.src), dst: endpoint(f.dst), protocol: f.protocol, port: f.port },
  };
}

/** The policy's verdict for the observed direction, if the evaluation has one. */
export function replayVerdict(e: FlowEvaluation, f: ReplayFlow, uid: string): ReplayJudgement['verdict'] {
  const v = e.verdicts.find((x) => x.ref.uid === uid && x.direction === f.direction && x.ref.kind !== 'NetworkPolicy');
  return v === undefined ? null : { verdict: v.verdict, reason: v.reason };
}

/** Judges the rows that have judged observations; rows without any are left to the write's revisit rule. */
async function judge(o: ReplayPassOptions, lease: ReplayLease, rows: readonly ReplayFlow[]): Promise<ReplayJudgement[]> {
  const due = rows.filter((r) => r.judged > 0);
  if (due.length === 0) return [];
  const only: OnlyPolicy = { uid: lease.job.policy.uid, generation: lease.job.policy.generation };
  const results = await o.client.evaluate(due.map(toReplayItem), only);
  const out: ReplayJudgement[] = [];
  for (const f of due) {
    const e = results.get(f.id);
    if (e !== undefined) out.push({ flowId: f.id, verdict: replayVerdict(e, f, only.uid) });
  }
  return out;
}

async function write(o: ReplayPassOptions, lease: ReplayLease, w: Omit<PageWrite, 'settling'>): Promise<void> {
  const now = o.now();
  const settling = now.getTime() < Date.parse(lease.job.until) + o.settleMs;
  const r = await o.store.writePage(lease, { ...w, settling }, now, o.leaseMs);
  o.onPage?.(w.scanned, r.inserted);
}

const ignore = (): void => undefined;

export async function mainPass(o: ReplayPassOptions, lease: ReplayLease): Promise<void> {
  let cursor = lease.cursor;
  let tail: Promise<void> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  while (!o.signal.aborted) {
    const rows = await o.store.readPage(lease.job, cursor, o.pageSize);
    const last = rows.at(-1);
    if (last === undefined) break;
    const from = cursor + 1;
    cursor = last.id;
    const judged = judge(o, lease, rows);
    judged.catch(ignore); // observed through the tail below; never unhandled
    const w = (j: ReplayJudgement[]): Omit<PageWrite, 'settling'> => ({ scope: { kind: 'range', from, to: last.id }, judgements: j, cursor: last.id, scanned: rows.length });
    tail = tail.then(async () => write(o, lease, w(await judged)));
    tail.catch(ignore);
    inFlight.push(tail);
    if (inFlight.length >= o.concurrency) await inFlight.shift();
  }
  await tail;
}

export async function retryPasses(o: ReplayPassOptions, lease: ReplayLease): Promise<void> {
  let delay = o.retryDelayMs;
  while (lease.retry.length > 0 && !o.signal.aborted) {
    await o.sleep(delay, o.signal);
    if (o.signal.aborted) return;
    delay = Math.min(delay * 2, o.maxRetryDelayMs);
    const ids = lease.retry.slice(0, o.pageSize);
    const rows = await o.store.readRows(lease.job, ids);
    const judgements = await judge(o, lease, rows);
    await write(o, lease, { scope: { kind: 'ids', ids }, judgements, cursor: lease.cursor, scanned: 0 });
  }
}

/** Runs the job's passes to the end (or until aborted); throws what the evaluator or store threw. */
export async function runPasses(o: ReplayPassOptions, lease: ReplayLease): Promise<void> {
  if (lease.job.flowsTotal === null) await o.store.countWindow(lease);
  await mainPass(o, lease);
  await retryPasses(o, lease);
}
