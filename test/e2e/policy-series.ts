/**
 * The broker's per-policy verdict series as an alert reads them from /metrics
 * (docs/metrics.md): every sample of kguardian_broker_policy_verdicts_total and _window, keyed
 * `metric namespace/policy kind direction verdict`, and the difference between two scrapes.
 */

export type PolicySeries = Record<string, number>;

const SAMPLE = /^kguardian_broker_policy_verdicts_(total|window)\{namespace="([^"]*)",policy="([^"]*)",kind="(\w+)",direction="(\w+)",verdict="(\w+)"\} (\S+)$/gm;

export function seriesKey(metric: 'total' | 'window', policy: string, kind: string, direction: string, verdict: string): string {
  return `${metric} ${policy} ${kind} ${direction} ${verdict}`;
}

export function parsePolicySeries(text: string): PolicySeries {
  const out: PolicySeries = {};
  for (const m of text.matchAll(SAMPLE)) {
    const [, metric = '', ns = '', policy = '', kind = '', direction = '', verdict = '', value = ''] = m;
    out[seriesKey(metric as 'total' | 'window', `${ns}/${policy}`, kind, direction, verdict)] = Number(value);
  }
  return out;
}

export async function scrapePolicySeries(brokerUrl: string): Promise<PolicySeries> {
  const r = await fetch(`${brokerUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
  if (!r.ok) throw new Error(`GET ${brokerUrl}/metrics: ${r.status}`);
  return parsePolicySeries(await r.text());
}

/** What moved between two scrapes: each series whose value changed (a new series counts from 0). */
export function seriesDelta(before: PolicySeries, after: PolicySeries): PolicySeries {
  const out: PolicySeries = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const d = (after[key] ?? 0) - (before[key] ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
}
