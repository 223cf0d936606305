/**
 * How verdicts look: kubectl-style columns (table, wide), one JSON document or JSON Lines, YAML.
 * The table fits a known output width (output/width.ts) as `audit test`'s does: REASON, the
 * sentence a reader acts on, is never cut. It wraps in its column when SOURCE, DESTINATION and
 * POLICY (cut with an ellipsis, down to 20) leave it 40 characters or more; else it goes on
 * the lines under its row (the names giving way further); on a terminal too narrow for even
 * that row, each verdict is a line of AGE, POLICY and VERDICT with its flow and reason in words
 * under it. In a pipe (no width) nothing is cut or wrapped. POLICY drops its namespace when one
 * namespace was asked for, and REASON drops the policy it starts with (POLICY shows it).
 * `-o wide` adds columns and keeps every value whole, and JSON/YAML carry the broker's objects.
 * The layout and widths are fixed by the first rows printed, so rows that arrive later under
 * --watch line up with them (names cut to the same widths). The rows are each policy's latest
 * generation unless --all-generations, when the table adds GEN (wide always has GENERATION).
 */
import { dump } from 'js-yaml';
import type { StoredVerdict } from '../broker/types.js';
import { age } from '../describe/age.js';
import { fitWidths, type Shrinkable } from '../output/fit.js';
import { wrapLine } from '../output/table.js';
import { ellipsis, wrapWords } from '../output/width.js';
import type { VerdictsOutput } from './options.js';
import { endLabel } from '../../contracts/flow-end-label.js';

/** What a table needs beyond the rows. */
export interface TableLayout {
  output: 'table' | 'wide';
  noHeaders: boolean;
  /** The line width the table fits in (`table` only); Infinity in a pipe: nothing is cut or wrapped. */
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
/** Which columns give way, in order, and how far (REASON never: it wraps instead). */
const SHRINK: readonly (readonly [column: string, min: number])[] = [
  ['DESTINATION', 20],
  ['SOURCE', 20],
  ['POLICY', 20],
  ['DESTINATION', 12],
  ['SOURCE', 12],
  ['POLICY', 12],
  ['DESTINATION', 8],
  ['SOURCE', 8],
  ['POLICY', 8],
];
/** REASON wraps in its column only when it has this much room; else it goes under its row. */
const REASON_ROOM = 40;

/** The table's columns: GEN (the policy's generation) beside POLICY only when generations are mixed. */
function tableColumns(allGenerations: boolean): string[] {
  const columns: string[] = [...TABLE];
  if (allGenerations) columns.splice(columns.indexOf('POLICY') + 1, 0, 'GEN');
  return columns;
}

/** The shrink steps down to `floor`, for `columns`. */
function shrinkable(columns: readonly string[], floor: number): Shrinkable[] {
  return SHRINK.filter(([, min]) => min >= floor).map(([name, min]) => ({ column: columns.indexOf(name), min }));
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

/**
 * How a table row is laid out in the width: one line, REASON wrapping in the rest of it when too
 * long (`column`), REASON on the lines under the row (`under`), or, when even the row without
 * REASON cannot fit, each verdict as a short line with its flow and reason in words under it
 * (`stacked`).
 */
interface Layout {
  kind: 'column' | 'under' | 'stacked';
  /** Every column's width; in `stacked`, those of AGE, POLICY (GEN) and VERDICT. */
  widths: number[];
}

function lineLength(widths: readonly number[]): number {
  return widths.reduce((a, b) => a + b, 0) + GAP * Math.max(0, widths.length - 1);
}

/** The first layout that fits `width`, from widths `natural` (REASON last). */
function chooseLayout(natural: readonly number[], columns: readonly string[], width: number): Layout {
  const reason = natural.length - 1;
  const rest = natural.slice(0, reason);
  const need = Math.min(natural[reason] ?? 0, REASON_ROOM);
  const inColumn = fitWidths(rest, shrinkable(columns, 20), width - GAP - need, GAP);
  // REASON gets the rest of the line, so a longer reason arriving later under --watch wraps too.
  if (lineLength(inColumn) + GAP + need <= width) return { kind: 'column', widths: [...inColumn, width - lineLength(inColumn) - GAP] };
  const under = fitWidths(rest, shrinkable(columns, 8), width, GAP);
  if (lineLength(under) <= width) return { kind: 'under', widths: under };
  return { kind: 'stacked', widths: [] };
}

/** The narrow layout's columns: AGE, POLICY (GEN) and VERDICT; the rest is in words under each verdict. */
function stackedColumns(hs: readonly string[]): number[] {
  return ['AGE', 'POLICY', 'GEN', 'VERDICT'].map((h) => hs.indexOf(h)).filter((i) => i >= 0);
}

/** Prints table rows with the layout and widths fixed by the first call. */
export class TableWriter {
  private layout: Layout | undefined;

  constructor(private readonly table: TableLayout) {}

  write(rows: readonly StoredVerdict[]): string {
    const t = this.table;
    const lines = rows.map((v) => cells(v, t));
    const hs = headers(t.output, t.allGenerations);
    let head = '';
    if (this.layout === undefined) {
      const natural = hs.map((h, i) => Math.max(t.noHeaders ? 0 : h.length, ...lines.map((r) => (r[i] ?? '').length)));
      // A pipe has no width (Infinity): every value whole, as -o wide.
      this.layout = t.output === 'wide' || t.width === Infinity ? { kind: 'column', widths: natural } : chooseLayout(natural, hs, t.width);
      if (this.layout.kind === 'stacked') this.layout.widths = fitWidths(stackedColumns(hs).map((i) => natural[i] ?? 0), [{ column: 1, min: 8 }], t.width, GAP);
      if (!t.noHeaders) head = this.layout.kind === 'stacked' ? this.stackedLine(hs, hs) : this.row(hs, true);
    }
    if (this.layout.kind === 'stacked') return head + rows.map((v, i) => this.stacked(v, lines[i] ?? [], hs)).join('');
    return head + lines.map((l) => this.row(l, false)).join('');
  }

  /** One row in the table layouts; REASON wraps in its column or goes under the row. */
  private row(cols: readonly string[], header: boolean): string {
    const { kind, widths } = this.layout ?? { kind: 'column', widths: [] };
    // -o wide and a pipe keep every value whole: nothing is cut or wrapped there.
    const fit = this.table.output === 'table' && this.table.width !== Infinity;
    const cell = (c: string, i: number): string => (fit ? ellipsis(c, widths[i] ?? c.length) : c).padEnd(widths[i] ?? 0);
    const reason = cols.length - 1;
    const text = cols[reason] ?? '';
    const before = cols.slice(0, reason).map(cell).join(' '.repeat(GAP));
    // Under the rows, REASON has no column, so no header either.
    if (header && kind === 'under') return before.trimEnd() + '\n';
    if (header || !fit || (kind === 'column' && text.length <= (widths[reason] ?? 0))) return `${before}${' '.repeat(GAP)}${text}`.trimEnd() + '\n';
    if (kind === 'column') {
      const hang = lineLength(widths.slice(0, reason)) + GAP;
      const [first = '', ...more] = wrapWords(text, widths[reason] ?? REASON_ROOM);
      return [`${before}${' '.repeat(GAP)}${first}`, ...more.map((l) => ' '.repeat(hang) + l)].join('\n') + '\n';
    }
    const hang = (widths[0] ?? 0) + GAP;
    return `${before.trimEnd()}\n` + wrapLine(' '.repeat(hang), text, this.table.width, hang);
  }

  /** The first line of a verdict in the narrow layout (or its header): AGE, POLICY (GEN), VERDICT. */
  private stackedLine(cols: readonly string[], hs: readonly string[]): string {
    const w = this.layout?.widths ?? [];
    return stackedColumns(hs).map((i, k) => ellipsis(cols[i] ?? '', w[k] ?? 0).padEnd(w[k] ?? 0)).join(' '.repeat(GAP)).trimEnd() + '\n';
  }

  /** A verdict in the narrow layout: its line, then the flow and the reason in words, wrapped under POLICY. */
  private stacked(v: StoredVerdict, cols: readonly string[], hs: readonly string[]): string {
    const hang = (this.layout?.widths[0] ?? 0) + GAP;
    const lead = ' '.repeat(hang);
    const flow = `${v.direction} ${endLabel(v.src)} -> ${endLabel(v.dst)} ${v.port}/${v.protocol}, ${v.state}, count ${v.count}`;
    return this.stackedLine(cols, hs) + wrapLine(lead, flow, this.table.width, hang) + wrapLine(lead, cols.at(-1) ?? '', this.table.width, hang);
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
