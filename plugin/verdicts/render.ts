/**
 * How verdicts look: kubectl-style columns (table, wide), one JSON document or JSON Lines, YAML.
 * The table fits the output width (output/width.ts): REASON gives way first, then SOURCE,
 * DESTINATION and POLICY, each cut with an ellipsis; POLICY drops its namespace when one
 * namespace was asked for, and REASON drops the policy it starts with (POLICY shows it).
 * `-o wide` adds columns and keeps every value whole, and JSON/YAML carry the broker's objects.
 * Column widths are fixed by the first rows printed, so rows that arrive later under --watch
 * line up with them (and are cut to the same widths). The rows are each policy's latest
 * generation unless --all-generations, when the table adds GEN (wide always has GENERATION).
 */
import { dump } from 'js-yaml';
import type { StoredVerdict } from '../broker/types.js';
import { age } from '../describe/age.js';
import { fitWidths, type Shrinkable } from '../output/fit.js';
import { ellipsis } from '../output/width.js';
import type { VerdictsOutput } from './options.js';
import { endLabel } from '../../contracts/flow-end-label.js';

/** What a table needs beyond the rows. */
export interface TableLayout {
  output: 'table' | 'wide';
  noHeaders: boolean;
  /** The line width the table fits in (`table` only). */
  width: number;
  /** True when the verdicts are from one namespace: POLICY then shows the bare name. */
  oneNamespace: boolean;
  /** The clock AGE is measured against. */
  now: () => Date;
  /** Older generations are listed too (--all-generations): the table then shows GEN after POLICY. */
  allGenerations?: boolean;
}

const GAP = 3;
// REASON stays last in both layouts: it is the long free-text column.
// COUNT: conversations (docs/agent.md, "What a count counts"), so a row is never read as one connection.
// STATE: how the connection went (established, attempt, refused, seen), so a refused or timed-out
// attempt is not read as working traffic.
const TABLE = ['AGE', 'POLICY', 'DIRECTION', 'SOURCE', 'DESTINATION', 'PORT', 'VERDICT', 'STATE', 'COUNT', 'REASON'] as const;
const WIDE = ['TIME', 'POLICY', 'DIRECTION', 'SOURCE', 'DESTINATION', 'PORT', 'VERDICT', 'STATE', 'KIND', 'GENERATION', 'COUNT', 'SOURCE-IP', 'DESTINATION-IP', 'EVALUATED', 'ID', 'REASON'] as const;
/** Which table columns give way, in order, and how far: REASON keeps a readable start as long as it can. */
const SHRINK: readonly (readonly [column: string, min: number])[] = [
  ['REASON', 28],
  ['DESTINATION', 20],
  ['SOURCE', 20],
  ['POLICY', 20],
  ['REASON', 12],
  ['DESTINATION', 12],
  ['SOURCE', 12],
  ['POLICY', 12],
  // The COUNT column costs 8: at 100 columns REASON gives way to it, down to its header's width.
  ['REASON', 6],
  // STATE costs up to 14 ("established"): at 100 columns the names give way further to it.
  ['DESTINATION', 8],
  ['SOURCE', 8],
  ['POLICY', 8],
  ['REASON', 4],
];

/** The table's columns: GEN (the policy's generation) beside POLICY only when generations are mixed. */
function tableColumns(allGenerations: boolean): string[] {
  const columns: string[] = [...TABLE];
  if (allGenerations) columns.splice(columns.indexOf('POLICY') + 1, 0, 'GEN');
  return columns;
}

function shrinkable(columns: readonly string[]): Shrinkable[] {
  return SHRINK.map(([name, min]) => ({ column: columns.indexOf(name), min }));
}

/** RFC 3339 to the second: sub-second digits only clutter a table. */
function seconds(t: string): string {
  return t.replace(/\.\d+Z$/, 'Z');
}

function qualified(v: StoredVerdict): string {
  return v.policy.namespace ? `${v.policy.namespace}/${v.policy.name}` : v.policy.name;
}

/** The reason without the "AuditNetworkPolicy prod/payments " it opens with: the POLICY column says that. */
export function shortReason(v: StoredVerdict): string {
  const head = `${v.policy.kind} ${qualified(v)}`;
  if (!v.reason.startsWith(head)) return v.reason;
  return v.reason.slice(head.length).replace(/^[:,]?\s+/, '');
}

export function headers(output: 'table' | 'wide', allGenerations = false): string[] {
  return output === 'wide' ? [...WIDE] : tableColumns(allGenerations);
}

export function cells(v: StoredVerdict, layout: TableLayout): string[] {
  const port = `${v.port}/${v.protocol}`;
  if (layout.output === 'wide') {
    return [seconds(v.observedAt), qualified(v), v.direction, endLabel(v.src), endLabel(v.dst), port, v.verdict, v.state, v.policy.kind,
      String(v.policy.generation), String(v.count), v.src.ip, v.dst.ip, seconds(v.evaluatedAt), String(v.id), v.reason];
  }
  const policy = layout.oneNamespace ? v.policy.name : qualified(v);
  const generation = layout.allGenerations === true ? [String(v.policy.generation)] : [];
  return [age(v.observedAt, layout.now()), policy, ...generation, v.direction, endLabel(v.src), endLabel(v.dst), port, v.verdict, v.state, String(v.count), shortReason(v)];
}

/** Prints table rows with widths fixed by the first call. */
export class TableWriter {
  private widths: number[] | undefined;

  constructor(private readonly layout: TableLayout) {}

  write(rows: readonly StoredVerdict[]): string {
    const lines = rows.map((v) => cells(v, this.layout));
    let head = '';
    if (this.widths === undefined) {
      const hs = headers(this.layout.output, this.layout.allGenerations);
      const all = this.layout.noHeaders ? lines : [hs, ...lines];
      const natural = hs.map((_, i) => Math.max(0, ...all.map((r) => (r[i] ?? '').length)));
      this.widths = this.layout.output === 'table' ? fitWidths(natural, shrinkable(hs), this.layout.width, GAP) : natural;
      if (!this.layout.noHeaders) head = this.line(hs);
    }
    return head + lines.map((l) => this.line(l)).join('');
  }

  private line(cols: readonly string[]): string {
    const w = this.widths ?? [];
    const fit = this.layout.output === 'table';
    const cut = (c: string, i: number): string => (fit ? ellipsis(c, w[i] ?? c.length) : c);
    return cols.map((c, i) => (i === cols.length - 1 ? cut(c, i) : cut(c, i).padEnd(w[i] ?? 0))).join(' '.repeat(GAP)).trimEnd() + '\n';
  }
}

/** A complete listing: rows oldest first. */
export function renderList(rows: readonly StoredVerdict[], output: VerdictsOutput, layout: Omit<TableLayout, 'output'>): string {
  if (output === 'json') return JSON.stringify({ verdicts: rows }, null, 2) + '\n';
  if (output === 'yaml') return dump({ verdicts: rows }, { noRefs: true, lineWidth: -1 });
  return new TableWriter({ ...layout, output }).write(rows);
}

/** One streamed row in a machine format: a JSON line, or a YAML document. */
export function renderStreamed(v: StoredVerdict, output: 'json' | 'yaml'): string {
  return output === 'json' ? JSON.stringify(v) + '\n' : '---\n' + dump(v, { noRefs: true, lineWidth: -1 });
}
