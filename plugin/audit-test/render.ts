/**
 * Prints an AuditReport. JSON and YAML print the whole object (for scripts); the table is
 * for people: the would-deny verdicts of the candidate policies grouped per policy, then one
 * count line per policy and a total.
 */
import yaml from 'js-yaml';
import { renderTable } from '../output/table.js';
import type { AuditReport, FlowReport, PolicySummary, ReportVerdict } from './report.js';

export type AuditOutput = 'table' | 'json' | 'yaml';

function endpointText(ref: FlowReport['src'], ip: string | undefined): string {
  if (ref) return `${ref.namespace}/${ref.pod}`;
  return ip ?? '?';
}

function policyKey(kind: string, policy: string): string {
  return `${kind} ${policy}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function policyHeading(s: PolicySummary): string {
  const selects = s.selectedPods === 0 ? 'selects no pods' : `selects ${plural(s.selectedPods, 'pod')}`;
  return `${s.kind} ${s.policy} (${selects}): ${s.wouldDeny} would-deny, ${s.allow} allowed`;
}

function denyRows(report: AuditReport, s: PolicySummary): string[][] {
  const rows: string[][] = [];
  for (const f of report.flows)
    for (const v of f.verdicts)
      if (v.verdict === 'WouldDeny' && policyKey(v.kind, v.policy) === policyKey(s.kind, s.policy)) rows.push(row(f, v));
  return rows;
}

function row(f: FlowReport, v: ReportVerdict): string[] {
  return [
    String(f.line),
    v.direction,
    endpointText(f.src, f.flow.src.ip),
    endpointText(f.dst, f.flow.dst.ip),
    `${f.flow.protocol}/${f.flow.port}`,
    // The group heading already names the policy.
    v.reason.startsWith(`${v.kind} ${v.policy} `) ? v.reason.slice(v.kind.length + v.policy.length + 2) : v.reason,
  ];
}

function totalLine(report: AuditReport): string {
  const { flows, allowed, denied, deniedToday } = report.summary;
  const today = deniedToday > 0 ? ` (${deniedToday} already denied today by enforced NetworkPolicies)` : '';
  return `${plural(flows, 'flow')}: ${allowed} allowed, ${denied} would be denied with these policies enforced${today}.`;
}

export function renderTableReport(report: AuditReport): string {
  const parts: string[] = [];
  for (const s of report.summary.policies) {
    parts.push(policyHeading(s) + '\n');
    const rows = denyRows(report, s);
    if (rows.length > 0) parts.push(renderTable(['line', 'direction', 'source', 'destination', 'port', 'reason'], rows, { indent: '  ' }));
    else if (s.selectedPods > 0 && s.allow === 0) parts.push('  no recorded flow reaches or leaves the pods it selects\n');
    parts.push('\n');
  }
  parts.push(totalLine(report) + '\n');
  return parts.join('');
}

export function renderReport(report: AuditReport, output: AuditOutput): string {
  switch (output) {
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
    case 'yaml':
      return yaml.dump(report, { noRefs: true, lineWidth: -1 });
    case 'table':
      return renderTableReport(report);
  }
}
