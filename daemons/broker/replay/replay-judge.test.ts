import { describe, expect, it } from 'vitest';
import type { EvaluateItem, EvaluatorClient, OnlyPolicy } from '../evaluator-client.js';
import type { ReplayFlow } from '../store/replay-types.js';
import { evaluationOf } from '../testing/evaluator-double.js';
import { ReplayJudge } from './replay-judge.js';
import type { EvaluateResult } from '../../../contracts/evaluate.js';
import { answerOf } from '../../../contracts/evaluate-answer.js';

const ONLY: OnlyPolicy = { uid: 'u1', generation: 2 };

const flow = (port: number, judged = 1): ReplayFlow => ({
  key: `k${port}`, lastSeen: '2026-03-01T10:00:00.000Z', direction: 'Egress',
  src: { ip: '10.0.0.1', namespace: 'a', pod: 'p' }, dst: { ip: '10.0.0.2', namespace: '', pod: '' }, port, protocol: 'TCP', judged,
});

/** A client that records its calls, answers each port with Allow (even) or WouldDeny (odd), and can hold answers back. */
function recorder(opts: { skip?: (port: number) => boolean; gate?: Promise<void> } = {}): EvaluatorClient & { calls: EvaluateItem[][]; peak: number } {
  let inFlight = 0;
  const c = {
    calls: [] as EvaluateItem[][],
    peak: 0,
    async evaluate(items: EvaluateItem[], only?: OnlyPolicy): Promise<Map<number, EvaluateResult>> {
      c.calls.push(items);
      c.peak = Math.max(c.peak, ++inFlight);
      await opts.gate;
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      const out = new Map<number, EvaluateResult>();
      for (const i of items) {
        if (opts.skip?.(i.flow.port) === true) continue;
        const verdict = i.flow.port % 2 ? 'WouldDeny' : 'Allow';
        const e = evaluationOf([{
          policy: 'a/w', kind: 'AuditNetworkPolicy', direction: 'Egress', verdict, reason: `port ${i.flow.port}`,
          ref: { kind: 'AuditNetworkPolicy', namespace: 'a', name: 'w', uid: only?.uid ?? '', generation: only?.generation ?? 0 },
        }]);
        out.set(i.id, { id: i.id, ...answerOf({ ...e, src: { namespace: 'a', pod: 'p' }, dst: { namespace: 'b', pod: `db-${i.flow.port}` } }, i.direction, false) });
      }
      return out;
    },
  };
  return c;
}

describe('ReplayJudge', () => {
  it('asks about each distinct flow once per job, across pages judged at the same time', async () => {
    let open = (): void => undefined;
    const c = recorder({ gate: new Promise<void>((r) => (open = r)) });
    const judge = new ReplayJudge(c, ONLY, 2, 4);
    const a = judge.judge([flow(1), flow(2), flow(3)]);
    const b = judge.judge([flow(2), flow(3), flow(4)]); // 2 and 3 are being asked by the first page
    open();
    const [ja, jb] = await Promise.all([a, b]);
    expect(c.calls.map((items) => items.map((i) => i.flow.port))).toEqual([[1, 2], [3], [4]]);
    const resolved = (port: number) => ({ src: { namespace: 'a', pod: 'p' }, dst: { namespace: 'b', pod: `db-${port}` } });
    expect(jb).toEqual([
      { key: 'k2', verdict: { verdict: 'Allow', reason: 'port 2' }, resolved: resolved(2) },
      { key: 'k3', verdict: { verdict: 'WouldDeny', reason: 'port 3' }, resolved: resolved(3) },
      { key: 'k4', verdict: { verdict: 'Allow', reason: 'port 4' }, resolved: resolved(4) },
    ]);
    expect(ja.map((j) => j.key)).toEqual(['k1', 'k2', 'k3']);
    await judge.judge([flow(1), flow(4)]);
    expect(c.calls).toHaveLength(3); // known flows are not asked again
  });

  it('does not ask about flows without judged observations, and leaves unanswered ones without a judgement', async () => {
    const c = recorder({ skip: (port) => port === 6 });
    const judge = new ReplayJudge(c, ONLY, 10, 1);
    const j = await judge.judge([flow(5, 0), flow(6), flow(7)]);
    expect(c.calls.map((items) => items.map((i) => [i.flow.port, i.count]))).toEqual([[[6, 1], [7, 1]]]);
    expect(j.map((x) => x.key)).toEqual(['k7']);
    expect(await judge.judge([flow(6)])).toEqual([]); // unanswered flows are asked about again, not remembered
    expect(c.calls).toHaveLength(2);
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    const c = recorder();
    const judge = new ReplayJudge(c, ONLY, 1, 2);
    await judge.judge(Array.from({ length: 8 }, (_, i) => flow(100 + i)));
    expect([c.calls.length, c.peak]).toEqual([8, 2]);
  });

  it('passes an evaluator failure on, and asks again next time', async () => {
    let fail = true;
    const inner = recorder();
    const c: EvaluatorClient = { evaluate: (items, only) => (fail ? Promise.reject(new Error('down')) : inner.evaluate(items, only)) };
    const judge = new ReplayJudge(c, ONLY, 10, 2);
    await expect(judge.judge([flow(9)])).rejects.toThrow('down');
    fail = false;
    expect((await judge.judge([flow(9)])).map((x) => x.verdict?.verdict)).toEqual(['WouldDeny']);
  });
});
