/**
 * One replay job's work: the main pass pages through the window in id order and the retry passes
 * come back to the rows that could not be written yet. Pages are pipelined: while the evaluator
 * judges several pages at once (`concurrency`), their writes commit strictly in page order, so the
 * job's cursor only ever moves forward over committed pages and a restart resumes from it. A page
 * is one slot of the replay bucket (so its verdicts aggregate fully) and arrives as distinct flows, judged once per job (replay-judge.ts). Counting rules live with the
 * SQL (store/replay-pages.ts).
 */
import type { EvaluatorClient } from '../evaluator-client.js';
import type { PageWrite, ReplayJudgement, ReplayLease, ReplayStore } from '../store/replay-types.js';
import { ReplayJudge } from './replay-judge.js';

export interface ReplayPassOptions {
  store: ReplayStore;
  client: EvaluatorClient;
  now: () => Date;
  /** Flow ids per visit of the retry passes (a main-pass page is one slot of the replay bucket). */
  pageSize: number;
  /** Distinct flows per evaluator call. */
  batchSize: number;
  /** Pages being judged at once, and evaluator calls in flight. */
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

async function write(o: ReplayPassOptions, lease: ReplayLease, w: Omit<PageWrite, 'settling'>): Promise<void> {
  const now = o.now();
  const settling = now.getTime() < Date.parse(lease.job.until) + o.settleMs;
  const r = await o.store.writePage(lease, { ...w, settling }, now, o.leaseMs);
  o.onPage?.(w.scanned, r.inserted);
}

const ignore = (): void => undefined;

export async function mainPass(o: ReplayPassOptions, lease: ReplayLease, judge: ReplayJudge): Promise<void> {
  let cursor = lease.cursor;
  let tail: Promise<void> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  while (!o.signal.aborted) {
    const page = await o.store.readPage(lease.job, cursor);
    if (page.rows === 0) break;
    cursor = page.to;
    const judged = judge.judge(page.flows);
    judged.catch(ignore); // observed through the tail below; never unhandled
    const w = (j: ReplayJudgement[]): Omit<PageWrite, 'settling'> =>
      ({ scope: { kind: 'slot', from: page.from, to: page.to }, judgements: j, cursor: page.to, scanned: page.rows });
    tail = tail.then(async () => write(o, lease, w(await judged)));
    tail.catch(ignore);
    inFlight.push(tail);
    if (inFlight.length >= o.concurrency) await inFlight.shift();
  }
  await tail;
}

export async function retryPasses(o: ReplayPassOptions, lease: ReplayLease, judge: ReplayJudge): Promise<void> {
  let delay = o.retryDelayMs;
  while (lease.retry.length > 0 && !o.signal.aborted) {
    await o.sleep(delay, o.signal);
    if (o.signal.aborted) return;
    delay = Math.min(delay * 2, o.maxRetryDelayMs);
    const ids = lease.retry.slice(0, o.pageSize);
    const flows = await o.store.readRows(lease.job, ids);
    const judgements = await judge.judge(flows);
    await write(o, lease, { scope: { kind: 'ids', ids }, judgements, cursor: lease.cursor, scanned: 0 });
  }
}

/** Runs the job's passes to the end (or until aborted); throws what the evaluator or store threw. */
export async function runPasses(o: ReplayPassOptions, lease: ReplayLease): Promise<void> {
  const p = lease.job.policy;
  const judge = new ReplayJudge(o.client, { uid: p.uid, generation: p.generation }, o.batchSize, o.concurrency);
  if (lease.job.flowsTotal === null) await o.store.countWindow(lease);
  await mainPass(o, lease, judge);
  await retryPasses(o, lease, judge);
}
