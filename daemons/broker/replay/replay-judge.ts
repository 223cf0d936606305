/**
 * The judgements of one replay job, memoised by distinct flow (store/replay-pages.ts groups a
 * page's rows by what their evaluation depends on). Most flows of a window recur page after page,
 * so the evaluator is asked about each one once per job instead of once per flow row. Pages are
 * judged concurrently: a flow already being asked about by another page is waited for, not asked
 * again. Calls go out in batches of `batchSize` with at most `concurrency` in flight.
 */
import type { EvaluateItem, EvaluateResult, EvaluatorClient, OnlyPolicy } from '../evaluator-client.js';
import type { ReplayFlow, ReplayJudgement } from '../store/replay-types.js';
import { endName } from '../../../contracts/flow-end-label.js';

type Verdict = ReplayJudgement['verdict'];
type Known = Omit<ReplayJudgement, 'key'>;

/** Beyond this many remembered flows the memo starts again (a window of distinct flows only). */
const MAX_REMEMBERED = 500_000;

export function toReplayItem(f: ReplayFlow, id: number): EvaluateItem {
  return {
    id, observedAt: f.lastSeen, count: f.judged, direction: f.direction,
    flow: { src: endName(f.src), dst: endName(f.dst), protocol: f.protocol, port: f.port },
  };
}

/** The policy's verdict for the observed direction, if the answer has one (it holds that policy's alone). */
export function replayVerdict(e: EvaluateResult, uid: string): Verdict {
  const v = e.verdicts.find((x) => x.ref.uid === uid);
  return v === undefined ? null : { verdict: v.verdict, reason: v.reason };
}

export class ReplayJudge {
  private readonly known = new Map<string, Known>();
  private readonly asking = new Map<string, Promise<void>>();
  private inFlight = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly client: EvaluatorClient,
    private readonly only: OnlyPolicy,
    private readonly batchSize: number,
    private readonly concurrency: number,
  ) {}

  /**
   * Judgements for the given flows: every flow already known, and those with judged
   * observations, asked now. A flow without judged observations is not asked about (the write
   * lists its rows for a later visit if they owe something by then); one the evaluator left
   * unanswered has no judgement either.
   */
  async judge(flows: readonly ReplayFlow[]): Promise<ReplayJudgement[]> {
    if (this.known.size > MAX_REMEMBERED) this.known.clear();
    const fresh = flows.filter((f) => f.judged > 0 && !this.known.has(f.key) && !this.asking.has(f.key));
    for (let i = 0; i < fresh.length; i += this.batchSize) this.ask(fresh.slice(i, i + this.batchSize));
    const waits = new Set<Promise<void>>();
    for (const f of flows) {
      const w = this.asking.get(f.key);
      if (w !== undefined) waits.add(w);
    }
    await Promise.all(waits);
    const out: ReplayJudgement[] = [];
    for (const f of flows) {
      const v = this.known.get(f.key);
      if (v !== undefined) out.push({ key: f.key, ...v });
    }
    return out;
  }

  private ask(batch: ReplayFlow[]): void {
    const call = this.slot().then(async () => {
      try {
        const results = await this.client.evaluate(batch.map((f, i) => toReplayItem(f, i)), this.only);
        batch.forEach((f, i) => {
          const e = results.get(i);
          if (e !== undefined) this.known.set(f.key, { verdict: replayVerdict(e, this.only.uid), resolved: { src: e.src, dst: e.dst } });
        });
      } finally {
        for (const f of batch) this.asking.delete(f.key);
        this.release();
      }
    });
    for (const f of batch) this.asking.set(f.key, call);
  }

  private async slot(): Promise<void> {
    if (this.inFlight < this.concurrency) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next !== undefined) next();
    else this.inFlight--;
  }
}
