/**
 * One replay job's work: the main pass goes through the window slot by slot of the replay bucket
 * and the retry passes come back to the rows that could not be written yet. Pages are pipelined:
 * several slots are read and judged at once (`concurrency`), and their writes commit strictly in
 * slot order, so the job's cursor only ever moves forward over committed pages and a restart
 * resumes from it. A read arrives as distinct flows, judged once per job (replay-judge.ts).
 * Counting rules live with the SQL (store/replay-pages.ts).
 */
import { backoffMs } from '../../../runtime/backoff.js';
import type { EvaluatorClient } from '../evaluator-client.js';
import type { PageWrite, ReplayLease, ReplayStore } from '../store/replay-types.js';
import { ReplayJudge } from './replay-judge.js';

export interface ReplayPassOptions {
  store: ReplayStore;
  client: EvaluatorClient;
  now: () => Date;
  /** Flow ids per visit of the retry passes (a main-pass page is one slot of the replay bucket). */
  pageSize: number;
  /** Distinct flows per evaluator call. */
  batchSize: number;
  /** Slots being read and judged at once, and evaluator calls in flight. */
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

/** What a read runs with now: live claims are judged against now; early in the job, the job settles. */
function readOptions(o: ReplayPassOptions, lease: ReplayLease): { now: Date; settling: boolean } {
  const now = o.now();
  return { now, settling: now.getTime() < Date.parse(lease.job.until) + o.settleMs };
}

async function write(o: ReplayPassOptions, lease: ReplayLease, w: PageWrite): Promise<void> {
  const r = await o.store.writePage(lease, w, o.now(), o.leaseMs);
  o.onPage?.(w.scanned, r.inserted);
}

const ignore = (): void => undefined;

export async function mainPass(o: ReplayPassOptions, lease: ReplayLease, judge: ReplayJudge): Promise<void> {
  let cursor = lease.cursor;
  let tail: Promise<void> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  while (!o.signal.aborted) {
    const slot = await o.store.nextSlot(lease.job, cursor);
    if (slot === undefined) break;
    cursor = slot.to;
    const judged = o.store.readSlot(lease.job, slot, readOptions(o, lease)).then(async (page) => ({ page, j: await judge.judge(page.flows) }));
    judged.catch(ignore); // observed through the tail below; never unhandled
    tail = tail.then(async () => {
      const { page, j } = await judged;
      await write(o, lease, { scope: { kind: 'slot', from: page.from, to: page.to }, tally: page.tally, judgements: j, cursor: page.to, scanned: page.rows });
    });
    tail.catch(ignore);
    inFlight.push(tail);
    if (inFlight.length >= o.concurrency) await inFlight.shift();
  }
  await tail;
}

export async function retryPasses(o: ReplayPassOptions, lease: ReplayLease, judge: ReplayJudge): Promise<void> {
  for (let failures = 1; lease.retry.length > 0 && !o.signal.aborted; failures++) {
    await o.sleep(backoffMs(failures, { initialMs: o.retryDelayMs, maxMs: o.maxRetryDelayMs }), o.signal);
    if (o.signal.aborted) return;
    const ids = lease.retry.slice(0, o.pageSize);
    const rows = await o.store.readRows(lease.job, ids, readOptions(o, lease));
    const judgements = await judge.judge(rows.flows);
    await write(o, lease, { scope: { kind: 'ids', ids }, tally: rows.tally, judgements, cursor: lease.cursor, scanned: 0 });
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
