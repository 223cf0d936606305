/**
 * How a verification looks: one row per flow and NetworkPolicy, what the policies predict against
 * what the kernel saw (CONNECTED: established TCP or UDP seen; FAILED: attempts never established
 * and refusals), the outcome, and when it was last seen. Mismatches first, then the newest. The
 * table fits the output width (table.ts) and goes to stdout; why each mismatch and the counts go to stderr, so a pipe gets rows only.
 * The notes wrap to stderr's own width (output/width.ts errorWidth); with none, each is one line.
 * JSON/YAML carry the broker's report unchanged.
 */
import { dump } from 'js-yaml';
import type { EnforcementReport, EnforcementRow, Outcome } from '../../contracts/enforcement.js';
import { age } from '../describe/age.js';
import type { VerifyOutput } from './options.js';
import { endLabel } from '../../contracts/flow-end-label.js';
import { verifyTable } from './table.js';
import { noteLine } from '../output/note.js';

const RANK: Readonly<Record<Outcome, number>> = { NotEnforced: 0, DroppedElsewhere: 1, Inconclusive: 2, Agrees: 3 };

export function sortRows(rows: readonly EnforcementRow[]): EnforcementRow[] {
  return [...rows].sort((a, b) => RANK[a.outcome] - RANK[b.outcome] || (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0));
}

export function cells(r: EnforcementRow, now: Date, oneNamespace: boolean): string[] {
  const o = r.observed;
  return [
    oneNamespace ? r.policy.name : `${r.policy.namespace}/${r.policy.name}`,
    r.direction === 'Egress' ? 'source' : 'destination',
    endLabel(r.src), endLabel(r.dst), `${r.port}/${r.protocol}`, r.predicted,
    String(o.established + o.seen), String(o.attempt + o.refused), r.outcome, age(r.lastSeen, now),
  ];
}

/** The last line of a table: counts by outcome, so a clean run says so. */
export function summaryLine(rows: readonly EnforcementRow[]): string {
  const n = (x: Outcome): number => rows.filter((r) => r.outcome === x).length;
  const mismatches = n('NotEnforced') + n('DroppedElsewhere');
  const head = mismatches === 0 ? 'No mismatches' : `${mismatches} mismatch${mismatches === 1 ? '' : 'es'}`;
  return `${head}: ${rows.length} flow${rows.length === 1 ? '' : 's'} checked, ${n('Agrees')} agree, ${n('NotEnforced')} not enforced, ${n('DroppedElsewhere')} dropped elsewhere, ${n('Inconclusive')} inconclusive.\n`;
}

/**
 * stdout (the table, or the report as JSON/YAML) and the note for stderr (why each mismatch, the
 * counts). `width`: stdout's (output/width.ts outputWidth); `noteWidth`: stderr's (errorWidth).
 */
export function renderVerify(
  report: EnforcementReport,
  output: VerifyOutput,
  layout: { now: Date; oneNamespace: boolean; noHeaders: boolean; width: number; noteWidth: number },
): { out: string; note: string } {
  if (output === 'json') return { out: JSON.stringify(report, null, 2) + '\n', note: '' };
  if (output === 'yaml') return { out: dump(report, { noRefs: true, lineWidth: -1 }), note: '' };
  const rows = sortRows(report.rows);
  const out = rows.length === 0 ? '' : verifyTable(rows.map((r) => cells(r, layout.now, layout.oneNamespace)), layout);
  const { noteWidth } = layout;
  const why = rows.filter((r) => r.outcome === 'NotEnforced' || r.outcome === 'DroppedElsewhere').slice(0, 10)
    .map((r) => noteLine(`${r.policy.namespace}/${r.policy.name} ${endLabel(r.src)} -> ${endLabel(r.dst)}:${r.port}/${r.protocol}: ${r.explanation}`, noteWidth)).join('');
  const cut = report.truncated ? noteLine('Only the most recently seen flows are listed: narrow the window (--since) or the scope.', noteWidth) : '';
  return { out, note: why + cut + noteLine(summaryLine(rows).trimEnd(), noteWidth) };
}
