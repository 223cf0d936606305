/**
 * How verdicts look: kubectl-style columns (table, wide), one JSON document or JSON Lines, YAML.
 * The table's column widths are fixed by the first rows printed, so rows that arrive later
 * under --watch line up with them (a longer value just pushes its row's tail right).
 */
import { dump } from 'js-yaml';
import type { StoredVerdict } from '../broker/types.js';
import type { VerdictsOutput } from './options.js';

// REASON stays last in both layouts: it is the long free-text column.
const COLUMNS = ['TIME', 'POLICY', 'DIRECTION', 'SOURCE', 'DESTINATION', 'PORT', 'VERDICT'] as const;
const WIDE_EXTRA = ['KIND', 'GENERATION', 'COUNT', 'SOURCE-IP', 'DESTINATION-IP', 'EVALUATED', 'ID'] as const;

function endpoint(e: StoredVerdict['src']): string {
  return e.namespace && e.pod ? `${e.namespace}/${e.pod}` : e.ip;
}

/** RFC 3339 to the second: sub-second digits only clutter a table. */
function seconds(t: string): string {
  return t.replace(/\.\d+Z$/, 'Z');
}

export function headers(output: VerdictsOutput): string[] {
  return output === 'wide' ? [...COLUMNS, ...WIDE_EXTRA, 'REASON'] : [...COLUMNS, 'REASON'];
}

export function cells(v: StoredVerdict, output: VerdictsOutput): string[] {
  const policy = v.policy.namespace ? `${v.policy.namespace}/${v.policy.name}` : v.policy.name;
  const base = [seconds(v.observedAt), policy, v.direction, endpoint(v.src), endpoint(v.dst), `${v.port}/${v.protocol}`, v.verdict];
  if (output !== 'wide') return [...base, v.reason];
  return [...base, v.policy.kind, String(v.policy.generation), String(v.count), v.src.ip, v.dst.ip, seconds(v.evaluatedAt), String(v.id), v.reason];
}

/** Prints table rows with widths fixed by the first call. */
export class TableWriter {
  private widths: number[] | undefined;

  constructor(
    private readonly output: VerdictsOutput,
    private readonly noHeaders: boolean,
  ) {}

  write(rows: readonly StoredVerdict[]): string {
    const lines = rows.map((v) => cells(v, this.output));
    let head = '';
    if (this.widths === undefined) {
      const hs = headers(this.output);
      const all = this.noHeaders ? lines : [hs, ...lines];
      this.widths = hs.map((_, i) => Math.max(0, ...all.map((r) => (r[i] ?? '').length)));
      if (!this.noHeaders) head = this.line(hs);
    }
    return head + lines.map((l) => this.line(l)).join('');
  }

  private line(cols: readonly string[]): string {
    const w = this.widths ?? [];
    return cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(w[i] ?? 0))).join('   ').trimEnd() + '\n';
  }
}

/** A complete listing: rows oldest first. */
export function renderList(rows: readonly StoredVerdict[], output: VerdictsOutput, noHeaders: boolean): string {
  if (output === 'json') return JSON.stringify({ verdicts: rows }, null, 2) + '\n';
  if (output === 'yaml') return dump({ verdicts: rows }, { noRefs: true, lineWidth: -1 });
  return new TableWriter(output, noHeaders).write(rows);
}

/** One streamed row in a machine format: a JSON line, or a YAML document. */
export function renderStreamed(v: StoredVerdict, output: 'json' | 'yaml'): string {
  return output === 'json' ? JSON.stringify(v) + '\n' : '---\n' + dump(v, { noRefs: true, lineWidth: -1 });
}
