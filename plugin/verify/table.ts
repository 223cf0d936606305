/**
 * The verify table in a known line width (output/width.ts), as the verdicts table fits its own:
 * the fixed columns (SEEN-AT, PORT, the counts, OUTCOME, LAST-SEEN) never shrink; DESTINATION,
 * SOURCE and POLICY give way, cut with an ellipsis, down to 20 characters. When even that row is
 * too long (below about 155 columns with pod names as long as Deployments make them), each row is
 * a line of POLICY, PREDICTED, OUTCOME and LAST-SEEN with its flow in words under it, so nothing
 * is cut but, on a very narrow terminal, the policy's name. In a pipe (no width) every value is
 * whole on one line, as kubectl's tables.
 */
import { fitWidths, type Shrinkable } from '../output/fit.js';
import { renderTable, wrapLine } from '../output/table.js';
import { ellipsis, UNLIMITED } from '../output/width.js';

export const HEADERS = ['POLICY', 'SEEN-AT', 'SOURCE', 'DESTINATION', 'PORT', 'PREDICTED', 'CONNECTED', 'FAILED', 'OUTCOME', 'LAST-SEEN'] as const;
type Header = (typeof HEADERS)[number];

const GAP = 3;
/** Which columns give way, in order, and how far: much shorter, a name no longer says which pod it is (`frontend/we…`). */
const SHRINK: readonly Shrinkable[] = ([['DESTINATION', 20], ['SOURCE', 20], ['POLICY', 20]] as const)
  .map(([name, min]) => ({ column: HEADERS.indexOf(name), min }));
/** The narrow layout's line; the other columns are in words under it. */
const STACKED: readonly Header[] = ['POLICY', 'PREDICTED', 'OUTCOME', 'LAST-SEEN'];
/** How far the words under a row are indented. */
const UNDER = 4;

export interface VerifyTableLayout {
  noHeaders: boolean;
  /** The line width; UNLIMITED (a pipe): nothing is cut. */
  width: number;
}

function lineLength(widths: readonly number[]): number {
  return widths.reduce((a, b) => a + b, 0) + GAP * Math.max(0, widths.length - 1);
}

function line(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => ellipsis(c, widths[i] ?? c.length).padEnd(widths[i] ?? 0)).join(' '.repeat(GAP)).trimEnd() + '\n';
}

/** `rows` (cells in HEADERS' order) as a table within `layout.width`. */
export function verifyTable(rows: readonly (readonly string[])[], layout: VerifyTableLayout): string {
  if (layout.width === UNLIMITED) return renderTable(HEADERS, rows, { noHeaders: layout.noHeaders });
  const natural = HEADERS.map((h, i) => Math.max(layout.noHeaders ? 0 : h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const widths = fitWidths(natural, SHRINK, layout.width, GAP);
  if (lineLength(widths) <= layout.width) return (layout.noHeaders ? '' : line(HEADERS, widths)) + rows.map((r) => line(r, widths)).join('');
  return stacked(rows, natural, layout);
}

const at = (h: Header): number => HEADERS.indexOf(h);

/** Each row as a short line (POLICY giving way down to 8) and its flow in words under it. */
function stacked(rows: readonly (readonly string[])[], natural: readonly number[], layout: VerifyTableLayout): string {
  const columns = STACKED.map(at);
  const widths = fitWidths(columns.map((i) => natural[i] ?? 0), [{ column: 0, min: 8 }], layout.width, GAP);
  const pick = (r: readonly string[]): string[] => columns.map((i) => r[i] ?? '');
  const out = layout.noHeaders ? [] : [line(STACKED, widths)];
  for (const r of rows) {
    const c = (h: Header): string => r[at(h)] ?? '';
    const flow = `${c('SOURCE')} -> ${c('DESTINATION')} ${c('PORT')} seen at the ${c('SEEN-AT')}: ${c('CONNECTED')} connected, ${c('FAILED')} failed`;
    out.push(line(pick(r), widths), wrapLine(' '.repeat(UNDER), flow, layout.width, UNDER));
  }
  return out.join('');
}
