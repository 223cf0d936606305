// The chart's monitoring extras, both off by default: the Grafana dashboard of the per-policy
// verdict metrics (a ConfigMap for Grafana's sidecar) and the example PrometheusRule. They pass
// `helm lint --strict`, render what their values say, refuse bad values naming them, and every
// metric they query is one the broker really exports (a renamed metric fails here, not in Grafana).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../daemons/broker/metrics.js';
import { CHART, helmWithValues, parseObjects, renderChart, type K8sObject } from './testing/helm.js';

interface Dashboard {
  uid: string;
  panels: { title: string; targets: { expr: string }[] }[];
  templating: { list: { name: string; query?: string | { query: string } }[] };
}

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
}

const DASHBOARD = join(CHART, 'dashboards', 'policy-verdicts.json');
const ON = { grafanaDashboard: { enabled: true }, prometheusRule: { enabled: true, wouldDenyPerMinute: 5, for: '15m', labels: { release: 'prom' } } };

const ofKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);
const rules = (o: K8sObject): Rule[] => (o.spec as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

/** Metric names a PromQL expression reads: identifiers followed by `{`, `[` or standing alone, kguardian's only. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\bkguardian_[a-z0-9_]+/g)].map((m) => m[0]);
}

async function brokerMetricNames(): Promise<Set<string>> {
  const m = createMetrics();
  return new Set((await m.registry.getMetricsAsJSON()).map((x) => x.name));
}

describe('monitoring extras of the chart', () => {
  it('are off by default: no dashboard ConfigMap, no PrometheusRule', async () => {
    const o = parseObjects(await renderChart());
    expect(ofKind(o, 'PrometheusRule')).toEqual([]);
    expect(ofKind(o, 'ConfigMap').filter((c) => c.metadata.name.includes('dashboard'))).toEqual([]);
  });

  it('pass helm lint --strict when on', async () => {
    const r = await helmWithValues(['lint', '--strict', CHART], ON);
    expect(r.stdout + r.stderr).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(r.code).toBe(0);
  });

  it('render the dashboard as a ConfigMap the Grafana sidecar loads, holding the file as is', async () => {
    const [cm, ...more] = ofKind(parseObjects(await renderChart(ON)), 'ConfigMap').filter((c) => c.metadata.name.includes('dashboard'));
    expect(more).toEqual([]);
    expect(cm?.metadata).toMatchObject({ name: 'kguardian-grafana-dashboard', namespace: 'kguardian', labels: { grafana_dashboard: '1' } });
    const json = (cm as unknown as { data: Record<string, string> }).data['kguardian-policy-verdicts.json'] ?? '';
    expect(JSON.parse(json)).toEqual(JSON.parse(readFileSync(DASHBOARD, 'utf8')));
  });

  it('render the PrometheusRule with the threshold, duration and labels given', async () => {
    const [rule, ...more] = ofKind(parseObjects(await renderChart(ON)), 'PrometheusRule');
    expect(more).toEqual([]);
    expect(rule?.metadata.labels).toMatchObject({ release: 'prom' });
    const [wouldDeny, overflow] = rules(rule!);
    expect(wouldDeny).toMatchObject({ alert: 'KguardianPolicyWouldDeny', for: '15m', labels: { severity: 'warning' } });
    expect(wouldDeny?.expr).toMatch(/verdict="WouldDeny".*\* 60 > 5$/);
    expect(overflow?.alert).toBe('KguardianPolicyMetricsOverflow');
  });

  it('query only metrics the broker exports, with the labels it sets', async () => {
    const exported = await brokerMetricNames();
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
    const exprs = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
      ...dashboard.templating.list.map((v) => (typeof v.query === 'object' ? v.query.query : '')),
      ...rules(ofKind(parseObjects(await renderChart(ON)), 'PrometheusRule')[0]!).map((r) => r.expr),
    ];
    const used = new Set(exprs.flatMap(metricNames));
    expect(used.size).toBeGreaterThan(0);
    for (const name of used) expect(exported, `${name} is not exported by the broker`).toContain(name);
    const labels = new Set(exprs.flatMap((e) => [...e.matchAll(/\b([a-z_]+)\s*(?:=~|!=|=)\s*"/g)].map((m) => m[1])));
    expect([...labels].sort()).toEqual(['namespace', 'policy', 'verdict']);
  });

  it.each([
    { title: 'a negative threshold', values: { prometheusRule: { wouldDenyPerMinute: -1 } }, message: '/prometheusRule/wouldDenyPerMinute' },
    { title: 'a duration that is not one', values: { prometheusRule: { for: '10 minutes' } }, message: '/prometheusRule/for' },
    { title: 'a misspelt key', values: { grafanaDashboard: { enable: true } }, message: 'enable' },
    { title: 'a namespace that is not a name', values: { grafanaDashboard: { namespace: 'Monitoring' } }, message: '/grafanaDashboard/namespace' },
  ])('refuse $title', async ({ values, message }) => {
    const r = await helmWithValues(['template', 'kguardian', CHART, '--namespace', 'kguardian'], values);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
  });
});
