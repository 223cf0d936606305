/**
 * `verify` with the enforcer on, over the enforced rounds of the differential test: kguardian keeps running
 * (its agent captures the enforced probes, the evaluator judges them against the NetworkPolicies then in
 * force) and what verify reports (GET /v1/enforcement) is compared with what it must report
 * (verify-expect.ts): every mismatch must be one the probes' own results and the API's reading of the
 * policies call for, on a probe that kube-router's deviations from the API explain (or whose tries the
 * enforcer answered differently), and every such mismatch must be reported.
 *
 * Per round, two waits keep each observation judged against its own round's NetworkPolicies: before the
 * probes, every evaluator replica must know the round's marker NetworkPolicy (created after the round's
 * policies, so its informer has seen them all); after them, the sentinel audit policy of every namespace
 * must have judged every try at both ends (its verdicts are stored in the same transaction as the
 * enforcement checks), before the round's policies are deleted.
 */
import type { EnforcementRow } from '../../contracts/enforcement.js';
import { MISMATCHES } from '../../contracts/enforcement.js';
import { flowKey, type Disagreement } from './judge.js';
import { apiSides } from './kube-router-model.js';
import type { PolicyDef, ScenarioDef } from './scenarios/types.js';
import type { Broker } from './testing/broker.js';
import type { Evaluators } from './testing/evaluators.js';
import type { ProbeOutcome } from './testing/probes.js';
import type { Copy, PodSlot, Probe } from './universe.js';
import { probesOf } from './universe.js';
import { compareMismatches, expectVerify, verifyLine, type ExpectedMismatch, type Mismatch, type ReportedMismatch, type VerifyTally } from './verify-expect.js';

export interface VerifyPlacement {
  scenario: ScenarioDef;
  copy: Copy;
  round: number;
  policies: PolicyDef[];
}

interface Deps {
  broker: Broker;
  evaluators: Evaluators;
  copies: readonly Copy[];
  sentinel: string;
  log: (line: string) => void;
}

export interface VerifyResult {
  line: string;
  tally: VerifyTally;
  matched: number;
  unexplained: string[];
  missed: string[];
  /** Expected mismatches on probes the differential test did not call kube-router deviations. */
  notDeviation: string[];
  /** Mismatches by outcome, and the deviation-caused disagreements no observed end can show. */
  byOutcome: Record<Mismatch, number>;
  invisible: number;
  /** Rows of every round by outcome (Agrees, Inconclusive too). */
  rows: Record<string, number>;
  tries: number;
  /** Probes some of whose tries were not all judged within the wait (left out of `missed`). */
  unjudged: number;
  /** `namespace/policy outcome` -> mismatched rows, for the counter. */
  perPolicy: Map<string, number>;
  /** Identity of each mismatched row, as `verify -o json` rows are compared. */
  keys: string[];
}

/** A row's identity: policy, observed end, flow and outcome. */
export function rowKey(r: Pick<EnforcementRow, 'policy' | 'direction' | 'src' | 'dst' | 'port' | 'protocol' | 'outcome'>): string {
  return `${r.policy.namespace}/${r.policy.name} ${r.direction} ${r.src.namespace}/${r.src.pod}->${r.dst.namespace}/${r.dst.pod}:${r.port}/${r.protocol} ${r.outcome}`;
}

/** How long the sentinels' counts must stand still before the ends still short are taken for lost. */
const STALL_MS = 15_000;

async function until(what: string, limitMs: number, check: () => Promise<boolean>): Promise<boolean> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > limitMs) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
  return true;
}

export class VerifyPass {
  /** `ROUND COPY KEY` -> whether each enforced try connected. */
  private readonly tries = new Map<string, boolean[]>();
  private readonly rows: { round: number; row: EnforcementRow }[] = [];
  private readonly unjudged = new Set<string>();
  private readonly pods = new Map<string, { copy: Copy; slot: PodSlot }>();

  constructor(private readonly deps: Deps) {
    for (const copy of deps.copies) for (const slot of copy.pods) this.pods.set(`${slot.namespace}/${slot.pod}`, { copy, slot });
  }

  /** Records one run of probes of a round (answers by `COPY KEY`). */
  record(round: number, outcomes: ReadonlyMap<string, ProbeOutcome>): void {
    for (const [k, o] of outcomes) {
      const key = `${round} ${k}`;
      const list = this.tries.get(key) ?? [];
      list.push(o.ok);
      this.tries.set(key, list);
    }
  }

  /** Waits until every evaluator replica holds the marker NetworkPolicy (and so every policy stored before it). */
  async awaitPolicies(marker: { namespace: string; name: string }, flow: { srcIp: string; dstIp: string }): Promise<void> {
    if (!(await until('evaluators', 120_000, () => this.deps.evaluators.allKnow(flow, marker)))) {
      throw new Error(`the evaluator replicas did not learn NetworkPolicy ${marker.namespace}/${marker.name} within 120 s`);
    }
  }

  /**
   * Waits until the sentinels have judged every try of the round's probes at both ends (the source's every try,
   * the destination's every connected one). Ends still short once the counts stand still are logged and their
   * probes left out of the missed count: an observation the agent lost is judged never, so never in a later round.
   */
  async awaitJudged(round: number, probes: readonly { copy: number; probe: Probe }[], since: Date): Promise<void> {
    const wanted = new Map<string, { n: number; probe: string }>();
    for (const { copy, probe: p } of probes) {
      const tries = this.tries.get(`${round} ${copy} ${p.key}`) ?? [];
      const flow = flowKey(p.src, { namespace: p.dst.namespace, pod: p.dst.pod }, p.port, p.protocol);
      wanted.set(`Egress ${flow}`, { n: tries.length, probe: `${round} ${copy} ${p.key}` });
      wanted.set(`Ingress ${flow}`, { n: tries.filter(Boolean).length, probe: `${round} ${copy} ${p.key}` });
    }
    const namespaces = [...new Set(probes.flatMap(({ probe: p }) => [p.src.namespace, p.dst.namespace]))];
    let counts = new Map<string, number>();
    const short = (): string[] => [...wanted].filter(([k, w]) => (counts.get(k) ?? 0) < w.n).map(([k]) => k);
    // Quiet for STALL_MS: nothing is on its way (the agent ships a bucket's counts within its 10 s), the rest was lost.
    let total = -1;
    let changedAt = Date.now();
    await until(`round ${round} judged`, 180_000, async () => {
      const next = new Map<string, number>();
      for (const ns of namespaces) {
        for (const v of await this.deps.broker.verdicts(ns, since, this.deps.sentinel)) {
          const k = `${v.direction} ${flowKey(v.src, v.dst, v.port, v.protocol)}`;
          next.set(k, (next.get(k) ?? 0) + v.count);
        }
      }
      counts = next;
      const sum = [...next.values()].reduce((a, b) => a + b, 0);
      if (sum !== total) [total, changedAt] = [sum, Date.now()];
      return short().length === 0 || Date.now() - changedAt > STALL_MS;
    });
    const missing = short();
    if (missing.length > 0) {
      this.deps.log(`verify: round ${round + 1}: ${missing.length} probe ends judged fewer times than tried, nothing new for ${STALL_MS / 1000} s (${missing.slice(0, 5).join(', ')})`);
      for (const k of missing) this.unjudged.add(wanted.get(k)?.probe ?? k);
    }
  }

  /** Reads verify's report of the round for the namespaces, from `since` to now. */
  async readRound(round: number, namespaces: readonly string[], since: Date): Promise<void> {
    const now = new Date();
    for (const ns of namespaces) {
      const report = await this.deps.broker.enforcement(ns, since, now);
      if (report.truncated) throw new Error(`GET /v1/enforcement for ${ns} in round ${round}: truncated at 10,000 rows`);
      for (const row of report.rows) this.rows.push({ round, row });
    }
  }

  /** The probe a row is about, in its round: `ROUND COPY KEY`, or undefined when its ends are not one copy's pods. */
  private probeOf(round: number, r: EnforcementRow): { key: string; copy: Copy } | undefined {
    const src = this.pods.get(`${r.src.namespace}/${r.src.pod}`);
    const dst = this.pods.get(`${r.dst.namespace}/${r.dst.pod}`);
    if (!src || !dst || src.copy !== dst.copy) return undefined;
    return { key: `${round} ${src.copy.index} ${src.slot.model}->${dst.slot.model}:${r.port}/${r.protocol}`, copy: src.copy };
  }

  /** What verify must report, per probe of every round, and the expected mismatches no kube-router deviation explains. */
  private expected(placed: readonly VerifyPlacement[], disagreements: ReadonlyMap<string, Disagreement>): { expected: Map<string, ExpectedMismatch[]>; invisible: number; tries: number; notDeviation: string[] } {
    const out = { expected: new Map<string, ExpectedMismatch[]>(), invisible: 0, tries: 0, notDeviation: [] as string[] };
    for (const p of placed) {
      for (const probe of probesOf(p.copy)) {
        const key = `${p.round} ${p.copy.index} ${probe.key}`;
        const t = this.tries.get(key);
        if (!t) continue;
        out.tries += t.length;
        const e = expectVerify({ protocol: probe.protocol, sides: apiSides(p.policies, p.copy, probe), tries: t });
        if (e.invisible) out.invisible++;
        if (e.mismatches.length === 0) continue;
        out.expected.set(key, e.mismatches);
        // The enforcer did otherwise than the API: kube-router's model explains it, or the enforcer changed its mind between tries.
        const d = disagreements.get(key);
        const mixed = t.some(Boolean) && t.some((ok) => !ok);
        if (d?.classification !== 'kube-router deviation' && !mixed) {
          out.notDeviation.push(`${key}: ${e.mismatches.map((m) => `${m.direction} ${m.outcome}`).join(', ')} (${d ? `${d.classification}: ${d.explanation}` : 'no disagreement in the differential test'})`);
        }
      }
    }
    return out;
  }

  /** The mismatched rows of every round, each tied to its probe and checked to name its own scenario's policy. */
  private reported(placed: readonly VerifyPlacement[]): { reported: ReportedMismatch[]; rows: Record<string, number>; perPolicy: Map<string, number>; keys: string[] } {
    const scenarioOf = new Map(placed.map((p) => [`${p.round} ${p.copy.index}`, p.scenario.id]));
    const out = { reported: [] as ReportedMismatch[], rows: {} as Record<string, number>, perPolicy: new Map<string, number>(), keys: [] as string[] };
    for (const { round, row } of this.rows) {
      out.rows[row.outcome] = (out.rows[row.outcome] ?? 0) + 1;
      if (!MISMATCHES.includes(row.outcome)) continue;
      out.keys.push(rowKey(row));
      const pk = `${row.policy.namespace}/${row.policy.name} ${row.outcome}`;
      out.perPolicy.set(pk, (out.perPolicy.get(pk) ?? 0) + 1);
      const probe = this.probeOf(round, row);
      const scenario = probe ? scenarioOf.get(`${round} ${probe.copy.index}`) : undefined;
      out.reported.push({
        probe: probe?.key ?? `${round} ${row.src.namespace}/${row.src.pod}->${row.dst.namespace}/${row.dst.pod}:${row.port}/${row.protocol}`,
        direction: row.direction, outcome: row.outcome as Mismatch, policy: `${row.policy.namespace}/${row.policy.name}`,
        ownScenario: scenario !== undefined && row.policy.name.startsWith(`${scenario}-`),
      });
    }
    return out;
  }

  /** Compares every round's report with what it must say; `disagreements` are the differential test's, by `ROUND COPY KEY`. */
  compare(placed: readonly VerifyPlacement[], disagreements: ReadonlyMap<string, Disagreement>): VerifyResult {
    const { expected, invisible, tries, notDeviation } = this.expected(placed, disagreements);
    const { reported, rows, perPolicy, keys } = this.reported(placed);
    const c = compareMismatches(expected, reported);
    const missed = c.missed.filter((m) => !this.unjudged.has(m.split(' ').slice(0, 3).join(' ')));
    const tally: VerifyTally = { mismatches: reported.length, probes: this.tries.size, scenarios: placed.length, unexplained: c.unexplained.length + notDeviation.length, missed: missed.length };
    return {
      line: verifyLine(tally), tally, matched: c.matched, unexplained: c.unexplained, missed, notDeviation,
      byOutcome: { NotEnforced: reported.filter((r) => r.outcome === 'NotEnforced').length, DroppedElsewhere: reported.filter((r) => r.outcome === 'DroppedElsewhere').length },
      invisible, rows, tries, unjudged: this.unjudged.size, perPolicy, keys,
    };
  }
}
