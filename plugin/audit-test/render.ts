/**
 * Prints an AuditReport. JSON and YAML print the whole object (for scripts); the table is
 * for people: the would-deny verdicts grouped per policy, each group under a line with its
 * counts, then the total. The candidate policies come first; then each enforced NetworkPolicy
 * of the cluster that denies any flow, marked as enforced, so every flow the total counts as
 * denied has a row. Wide lists every verdict of each policy (Allow too) with
 * the rule that allowed it, the flow's IPs, the outcome today and with everything enforced,
 * and the engine's notes. --no-headers leaves out the column header lines.
 *
 * The table fits the output width (output/width.ts): REASON, the advice a reader acts on, wraps
 * rather than being cut: in its column, or under its row on a narrow terminal (where SOURCE and
 * DESTINATION give way with an ellipsis if even the row is too long). The headings, total and
 * note wrap too. Wide keeps every value whole on one line (for wide terminals and grep).
 */
import yaml from 'js-yaml';
import { fitWidths, type Shrinkable } from '../output/fit.js';
import { renderFittedTable, renderTable, wrapLine } from '../output/table.js';
import { DEFAULT_WIDTH, ellipsis } from '../output/width.js';
import type { AuditReport, FlowReport, PolicySummary, ReportVerdict } from './report.js';

export type AuditOutput = 'table' | 'wide' | 'json' | 'yaml';
export type TableOutput = Extract<AuditOutput, 'table' | 'wide'>;

export interface RenderOptions {
  noHeaders?: boolean;
  /** The line width the table fits in (`table`; headings and notes wrap in it in `wide` too). Default 120. */
  width?: number;
}


const HEADERS = ['line', 'direction', 'source', 'destination', 'port', 'reason'];
const INDENT = '  ';
const GAP = 3;
/** Narrower than this, REASON leaves its column for the lines under its row. */
const REASON_ROOM = 40;
/** How far SOURCE and DESTINATION give way, in turn (only when the row is too long without REASON). */
const SHRINK: readonly Shrinkable[] = [
  { column: HEADERS.indexOf('destination'), min: 20 },
  { column: HEADERS.indexOf('source'), min: 20 },
  { column: HEADERS.indexOf('destination'), min: 12 },
  { column: HEADERS.indexOf('source'), min: 12 },
];
const WIDE_HEADERS = ['line', 'direction', 'source', 'source-ip', 'destination', 'destination-ip', 'port', 'verdict', 'rule', 'today', 'if-enforced', 'notes', 'reason'];

function endpointText(ref: FlowReport['src'], end: FlowReport['flow']['src']): string {
  if (ref) return `${ref.namespace}/${ref.pod}`;
  // A pod the flow names but the cluster does not have: say so rather than show a bare IP.
  if (end.pod !== undefined && end.namespace !== undefined) return `${end.namespace}/${end.pod} (unknown pod)`;
  return end.ip ?? '?';
}

function policyKey(kind: string, policy: string): string {
  return `${kind} ${policy}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function policyHeading(s: PolicySummary, enforced: boolean): string {
  const selects = s.selectedPods === 0 ? 'selects no pods' : `selects ${plural(s.selectedPods, 'pod')}`;
  return `${s.kind} ${s.policy} (${enforced ? 'enforced on the cluster, not a candidate; ' : ''}${selects}): ${s.wouldDeny} would-deny, ${s.allow} allowed`;
}

/** The rows of one policy: its would-deny verdicts (table), or all its verdicts (wide). */
function policyRows(report: AuditReport, s: PolicySummary, output: TableOutput): string[][] {
  const rows: string[][] = [];
  for (const f of report.flows)
    for (const v of f.verdicts)
      if ((output === 'wide' || v.verdict === 'WouldDeny') && policyKey(v.kind, v.policy) === policyKey(s.kind, s.policy)) rows.push(row(f, v, output));
  return rows;
}

/** The reason without its leading "KIND NAME" (the group heading already names the policy). */
function shortReason(v: ReportVerdict): string {
  const prefix = `${v.kind} ${v.policy}`;
  if (v.reason.startsWith(`${prefix}: `)) return v.reason.slice(prefix.length + 2);
  return v.reason.startsWith(`${prefix} `) ? v.reason.slice(prefix.length + 1) : v.reason;
}

function row(f: FlowReport, v: ReportVerdict, output: TableOutput): string[] {
  const src = endpointText(f.src, f.flow.src);
  const dst = endpointText(f.dst, f.flow.dst);
  const port = `${f.flow.port}/${f.flow.protocol}`;
  if (output === 'table') return [String(f.line), v.direction, src, dst, port, shortReason(v)];
  const side = v.direction === 'Ingress' ? 'ingress' : 'egress';
  return [
    String(f.line),
    v.direction,
    src,
    f.flow.src.ip ?? '-',
    dst,
    f.flow.dst.ip ?? '-',
    port,
    v.verdict,
    v.rule === undefined ? '-' : String(v.rule),
    f.enforced[side],
    f.effective[side],
    f.notes.length === 0 ? '-' : f.notes.join('; '),
    shortReason(v),
  ];
}

function totalLine(report: AuditReport): string {
  const { flows, allowed, denied, deniedToday } = report.summary;
  const today = deniedToday > 0 ? ` (${deniedToday} already denied today by enforced NetworkPolicies)` : '';
  return `${plural(flows, 'flow')}: ${allowed} allowed, ${denied} would be denied with these policies enforced${today}.`;
}

/** Flows that name pods the cluster does not have: their would-denies may be artefacts, said apart from the total. */
function unknownPodsNote(report: AuditReport): string {
  const { unknownPods, deniedUnknownPods } = report.summary;
  if (unknownPods === 0) return '';
  const names = [...new Set(report.flows.flatMap((f) => f.unknownPods))];
  const shown = names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
  return (
    `Note: ${unknownPods === 1 ? `1 flow (${deniedUnknownPods === 1 ? 'denied' : 'allowed'}) names` : `${unknownPods} flows, ${deniedUnknownPods} of them denied, name`} a pod the cluster does not have (${shown}), ` +
    'most likely deleted since the flow was recorded. Policies see such an end as an unknown peer (only ipBlock and empty peers match it), ' +
    'so these would-denies may be artefacts of replaying old traffic, not of the policies; rows show them as "(unknown pod)".\n'
  );
}

/** One policy's rows in `width`. REASON wraps in its column when that leaves it REASON_ROOM or
 * more; on a narrower terminal each reason goes on the lines under its row, as wide as the
 * terminal, and SOURCE and DESTINATION give way with an ellipsis if the row itself is too long. */
function fittedRows(rows: readonly string[][], width: number, noHeaders: boolean): string {
  const heads = HEADERS.map((h) => h.toUpperCase());
  const natural = HEADERS.map((_, i) => Math.max(...[heads, ...rows].map((r) => (r[i] ?? '').length)));
  const reason = HEADERS.length - 1;
  const before = INDENT.length + natural.slice(0, reason).reduce((a, w) => a + w + GAP, 0);
  if (width - before >= REASON_ROOM) return renderFittedTable(HEADERS, rows, { indent: INDENT, width, noHeaders });
  const widths = fitWidths(natural.slice(0, reason), SHRINK, width - INDENT.length, GAP);
  const line = (cells: readonly string[]): string => INDENT + cells.map((c, i) => ellipsis(c, widths[i] ?? c.length).padEnd(widths[i] ?? 0)).join(' '.repeat(GAP)).trimEnd() + '\n';
  const hang = INDENT.length + (widths[0] ?? 0) + GAP;
  const out = noHeaders ? [] : [line(heads.slice(0, reason))];
  for (const r of rows) out.push(line(r.slice(0, reason)), wrapLine(' '.repeat(hang), r[reason] ?? '', width, hang));
  return out.join('');
}

export function renderTableReport(report: AuditReport, output: TableOutput = 'table', opts: RenderOptions = {}): string {
  const width = opts.width ?? DEFAULT_WIDTH;
  const noHeaders = opts.noHeaders === true;
  const parts: string[] = [];
  const groups = [...report.summary.policies.map((s) => ({ s, enforced: false })), ...report.summary.enforcedPolicies.map((s) => ({ s, enforced: true }))];
  for (const { s, enforced } of groups) {
    parts.push(wrapLine('', policyHeading(s, enforced), width, 4));
    const rows = policyRows(report, s, output);
    if (rows.length > 0) parts.push(output === 'wide' ? renderTable(WIDE_HEADERS, rows, { indent: INDENT, noHeaders }) : fittedRows(rows, width, noHeaders));
    else if (s.selectedPods > 0 && s.allow === 0) parts.push(`${INDENT}no recorded flow reaches or leaves the pods it selects\n`);
    parts.push('\n');
  }
  parts.push(wrapLine('', totalLine(report), width, 0));
  const note = unknownPodsNote(report);
  if (note !== '') parts.push(wrapLine('', note, width, 0));
  return parts.join('');
}

export function renderReport(report: AuditReport, output: AuditOutput, opts: RenderOptions = {}): string {
  switch (output) {
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
    case 'yaml':
      return yaml.dump(report, { noRefs: true, lineWidth: -1 });
    case 'table':
    case 'wide':
      return renderTableReport(report, output, opts);
  }
}
