/**
 * kubectl-style tables: upper-case headers, no borders, columns separated by three spaces.
 * cli-table3 does the width math (including wide characters); we only remove its borders.
 * renderFittedTable, wrapLine and commandLines keep text within a line width (describe's layout).
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
 * lost and no line runs past the width. When that would leave the last column fewer than
 * MIN_LAST_COLUMN characters, it goes on the lines under its row instead, as wide as the width
 * allows. `noHeaders` leaves the header line out.
 */
export function renderFittedTable(headers: readonly string[], rows: readonly (readonly string[])[], opts: { indent: string; width: number; noHeaders?: boolean }): string {
  const all = [headers.map((h) => h.toUpperCase()), ...rows];
  const n = headers.length;
  // The header sizes the columns even when it is left out, so rows wrap the same either way.
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const before = opts.indent.length + widths.slice(0, -1).reduce((a, w) => a + w + GAP.length, 0);
  const room = opts.width - before;
  if (room < Math.min(MIN_LAST_COLUMN, widths[n - 1] ?? 0)) return lastColumnUnder(all, widths, opts);
  const lines: string[] = [];
  for (const row of opts.noHeaders ? rows : all) {
    const head = row.slice(0, -1).map((c, i) => c.padEnd(widths[i] ?? 0) + GAP).join('');
    const text = row[n - 1] ?? '';
    const parts = text.length <= room ? [text] : wrapWords(text, Math.max(room, MIN_LAST_COLUMN));
    lines.push(`${opts.indent}${head}${parts[0] ?? ''}`.trimEnd());
    for (const more of parts.slice(1)) lines.push(`${' '.repeat(before)}${more}`);
  }
  return lines.join('\n') + '\n';
}

/** Below this the last column would wrap into slivers: it goes under its row instead. */
const MIN_LAST_COLUMN = 24;
/** How far the lines under a row are indented beyond the table's indent. */
const UNDER = '    ';

/** The table with its last column on the lines under each row (its header too, so the reader knows what it is). */
function lastColumnUnder(all: readonly (readonly string[])[], widths: readonly number[], opts: { indent: string; width: number; noHeaders?: boolean }): string {
  const hang = opts.indent.length + UNDER.length;
  const out: string[] = [];
  for (const [i, row] of all.entries()) {
    if (i === 0 && opts.noHeaders) continue;
    // The header keeps the last column's name: it says what the lines under the rows are.
    const cells = i === 0 ? row : row.slice(0, -1);
    out.push(`${opts.indent}${cells.map((c, j) => (j === cells.length - 1 ? c : c.padEnd(widths[j] ?? 0))).join(GAP)}`.trimEnd() + '\n');
    const last = row.at(-1) ?? '';
    if (i > 0 && last !== '') out.push(wrapLine(' '.repeat(hang), last, opts.width, hang));
  }
  return out.join('');
}

/** `text` in lines of at most `width`, after a first-line `lead` and with continuation lines indented by `hang`. */
export function wrapLine(lead: string, text: string, width: number, hang: number): string {
  const [first = '', ...rest] = wrapWords(text, Math.max(MIN_LAST_COLUMN, width - Math.max(lead.length, hang)));
  return [`${lead}${first}`, ...rest.map((l) => `${' '.repeat(hang)}${l}`)].join('\n') + '\n';
}

/** `-n prod` stays one piece when a command is split: a flag apart from its value reads badly. */
function flagsWithValues(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    const prev = out.at(-1);
    if (prev !== undefined && /^-[^=]*$/.test(prev) && !w.startsWith('-')) out[out.length - 1] = `${prev} ${w}`;
    else out.push(w);
  }
  return out;
}

/**
 * A command to copy, after `lead` ("  Next: "), within `width` when it can be: on the lead's
 * line when it fits, else on its own line under it, else broken between words with a shell
 * line continuation (" \\"), so what is copied still runs as one command.
 */
export function commandLines(lead: string, command: string, width: number, indent: string): string {
  if (lead.length + command.length <= width) return `${lead}${command}\n`;
  const head = lead.trimEnd() + '\n';
  if (indent.length + command.length <= width) return `${head}${indent}${command}\n`;
  const more = `${indent}  `;
  const lines: string[] = [];
  let line = indent;
  for (const word of flagsWithValues(command.split(' '))) {
    const start = line === indent || line === more;
    if (!start && line.length + 1 + word.length + 2 > width) {
      lines.push(`${line} \\`);
      line = more + word;
    } else line = start ? line + word : `${line} ${word}`;
  }
  return head + [...lines, line].join('\n') + '\n';
}
