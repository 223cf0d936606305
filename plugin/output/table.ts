/**
 * kubectl-style tables: upper-case headers, no borders, columns separated by three spaces.
 * cli-table3 does the width math (including wide characters); we only remove its borders.
 */
import Table from 'cli-table3';

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
