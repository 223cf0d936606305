/**
 * kubectl-style tables: upper-case headers, no borders, columns separated by three spaces.
 * cli-table3 does the width math (including wide characters); we only remove its borders.
 * renderFittedTable and wrapLine keep text within a line width (describe's layout).
 */
import Table from 'cli-table3';
import { wrapWords } from './width.js';

const NO_BORDERS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '',
  right: '', 'right-mid': '', middle: '   ',
};

export interface TableOptions {
  noHeaders?: boolean;
  indent?: string;
}

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  const table = new Table({
    chars: NO_BORDERS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    ...(opts.noHeaders ? {} : { head: headers.map((h) => h.toUpperCase()) }),
  });
  for (const row of rows) table.push([...row]);
  const indent = opts.indent ?? '';
  return (
    table
      .toString()
      .split('\n')
      .map((l) => indent + l.trimEnd())
      .join('\n') + '\n'
  );
}

const GAP = '   ';

/**
 * A kubectl-style table that fits `width`: every column keeps its width except the last (the
 * free text: messages), which wraps onto continuation lines aligned under it, so nothing is
 * lost and no line runs past the width. `noHeaders` leaves the header line out.
 */
export function renderFittedTable(headers: readonly string[], rows: readonly (readonly string[])[], opts: { indent: string; width: number; noHeaders?: boolean }): string {
  const all = [headers.map((h) => h.toUpperCase()), ...rows];
  const n = headers.length;
  // The header sizes the columns even when it is left out, so rows wrap the same either way.
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const before = opts.indent.length + widths.slice(0, -1).reduce((a, w) => a + w + GAP.length, 0);
  const room = Math.max(MIN_LAST_COLUMN, opts.width - before);
  const lines: string[] = [];
  for (const row of opts.noHeaders ? rows : all) {
    const head = row.slice(0, -1).map((c, i) => c.padEnd(widths[i] ?? 0) + GAP).join('');
    const text = row[n - 1] ?? '';
    const parts = text.length <= room ? [text] : wrapWords(text, room);
    lines.push(`${opts.indent}${head}${parts[0] ?? ''}`.trimEnd());
    for (const more of parts.slice(1)) lines.push(`${' '.repeat(before)}${more}`);
  }
  return lines.join('\n') + '\n';
}

/** Below this the last column wraps into slivers; lines then run over instead. */
const MIN_LAST_COLUMN = 24;

/** `text` in lines of at most `width`, after a first-line `lead` and with continuation lines indented by `hang`. */
export function wrapLine(lead: string, text: string, width: number, hang: number): string {
  const [first = '', ...rest] = wrapWords(text, Math.max(MIN_LAST_COLUMN, width - Math.max(lead.length, hang)));
  return [`${lead}${first}`, ...rest.map((l) => `${' '.repeat(hang)}${l}`)].join('\n') + '\n';
}
