/**
 * Per-policy verdict metrics: what each audit policy would have done to live traffic, in
 * conversations (docs/agent.md, "What a count counts"), for graphs and alerts such as "this
 * candidate policy would deny N flows a minute".
 *
 *   kguardian_broker_policy_verdicts_total{namespace,policy,kind,direction,verdict}
 *     conversations judged since this broker started (a counter: use rate()/increase());
 *   kguardian_broker_policy_verdicts_window{namespace,policy,kind,direction,verdict}
 *     conversations judged in the last `windowMinutes` by this broker (per-minute slots).
 *
 * Fed by the evaluation loop once its verdicts are committed, so each observation counts once,
 * whichever broker replica judged it (sum over replicas). Replayed verdicts are not counted: a
 * replay re-judges old traffic for a new generation, which is not new traffic.
 *
 * Cardinality is bounded twice: at most `maxPolicies` policies have series of their own (each at
 * most 2 directions x 2 verdicts); verdicts of any further policy are counted under
 * namespace="_overflow", policy="_overflow"; and a policy with no verdict for a whole window
 * loses its series (a deleted policy stops producing verdicts), which frees its place.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { StoredVerdictTally } from './store/types.js';

export interface PolicyMetricsOptions {
  /** Policies with series of their own; the rest share the overflow series. */
  maxPolicies: number;
  /** Width of the window gauge, and how long an idle policy keeps its series. */
  windowMinutes: number;
  /** Milliseconds since the epoch (injected so tests move time). */
  now?: () => number;
}

type Labels = Record<'namespace' | 'policy' | 'kind' | 'direction' | 'verdict', string>;

/** One label set's per-minute counts over the window, in a ring indexed by minute. */
interface Series {
  labels: Labels;
  counts: number[];
  minutes: number[];
}

interface PolicyEntry {
  series: Map<string, Series>;
  lastMinute: number;
}

export const OVERFLOW = '_overflow';
/** The overflow's entry key: no policy's key (kind|namespace|name) starts with a space. */
const OVERFLOW_KEY = ` ${OVERFLOW}`;
const MINUTE_MS = 60_000;

export class PolicyVerdictMetrics {
  private readonly policies = new Map<string, PolicyEntry>();
  private readonly total: Counter<keyof Labels>;
  private readonly window: Gauge<keyof Labels>;
  private readonly now: () => number;

  constructor(registry: Registry, private readonly o: PolicyMetricsOptions) {
    this.now = o.now ?? Date.now;
    const labelNames = ['namespace', 'policy', 'kind', 'direction', 'verdict'] as const;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- collect() runs with the metric as `this`
    const self = this;
    this.total = new Counter({
      name: 'kguardian_broker_policy_verdicts_total',
      help: 'Conversations judged live, by audit policy, direction and verdict (replays not counted).',
      labelNames,
      registers: [registry],
      collect() {
        self.forgetIdle(); // at scrape time too: an idle policy's series leave without new verdicts
      },
    });
    this.window = new Gauge({
      name: 'kguardian_broker_policy_verdicts_window',
      help: `Conversations judged live in the last ${o.windowMinutes} minutes, by audit policy, direction and verdict.`,
      labelNames,
      registers: [registry],
      collect() {
        self.refreshWindow();
      },
    });
    new Gauge({
      name: 'kguardian_broker_policy_metrics_policies',
      help: `Audit policies with per-policy series (at most ${o.maxPolicies}; the rest are counted under policy="${OVERFLOW}").`,
      registers: [registry],
      collect() {
        self.forgetIdle();
        this.set([...self.policies.keys()].filter((k) => k !== OVERFLOW_KEY).length);
      },
    });
  }

  /** Counts committed verdicts. */
  record(stored: readonly StoredVerdictTally[]): void {
    const minute = Math.floor(this.now() / MINUTE_MS);
    this.forgetIdle(minute);
    for (const { verdict: v, count } of stored) {
      const key = `${v.policy.kind}|${v.policy.namespace}|${v.policy.name}`;
      const own = this.policies.has(key) || this.policies.size - (this.policies.has(OVERFLOW_KEY) ? 1 : 0) < this.o.maxPolicies;
      const labels: Labels = own
        ? { namespace: v.policy.namespace, policy: v.policy.name, kind: v.policy.kind, direction: v.direction, verdict: v.verdict }
        : { namespace: OVERFLOW, policy: OVERFLOW, kind: v.policy.kind, direction: v.direction, verdict: v.verdict };
      const entry = this.entry(own ? key : OVERFLOW_KEY, minute);
      const seriesKey = `${labels.kind}|${labels.direction}|${labels.verdict}`;
      let s = entry.series.get(seriesKey);
      if (!s) {
        s = { labels, counts: new Array<number>(this.o.windowMinutes).fill(0), minutes: new Array<number>(this.o.windowMinutes).fill(-1) };
        entry.series.set(seriesKey, s);
      }
      const slot = minute % this.o.windowMinutes;
      if (s.minutes[slot] !== minute) {
        s.minutes[slot] = minute;
        s.counts[slot] = 0;
      }
      s.counts[slot] = (s.counts[slot] ?? 0) + count;
      this.total.inc(labels, count);
    }
  }

  private entry(key: string, minute: number): PolicyEntry {
    let e = this.policies.get(key);
    if (!e) {
      e = { series: new Map(), lastMinute: minute };
      this.policies.set(key, e);
    }
    e.lastMinute = minute;
    return e;
  }

  /** Drops the series of policies with no verdict for a whole window. */
  private forgetIdle(minute = Math.floor(this.now() / MINUTE_MS)): void {
    for (const [key, e] of this.policies) {
      if (e.lastMinute > minute - this.o.windowMinutes) continue;
      for (const s of e.series.values()) {
        this.total.remove(s.labels);
        this.window.remove(s.labels);
      }
      this.policies.delete(key);
    }
  }

  private refreshWindow(): void {
    const minute = Math.floor(this.now() / MINUTE_MS);
    this.forgetIdle(minute);
    for (const e of this.policies.values()) {
      for (const s of e.series.values()) {
        let sum = 0;
        s.minutes.forEach((m, i) => {
          if (m > minute - this.o.windowMinutes) sum += s.counts[i] ?? 0;
        });
        this.window.set(s.labels, sum);
      }
    }
  }
}
