/**
 * Fits table columns into a width: columns keep their natural width (their longest cell) until
 * the line would be too long; then the shrinkable ones give way, the first listed first, each
 * down to its minimum. Fixed columns (times, ports, verdicts) never shrink.
 */

export interface Shrinkable {
  /** Column index. */
  column: number;
  min: number;
}

/** Widths for `natural` (one per column) joined by `gap` spaces, at most `total` wide when the minimums allow. */
export function fitWidths(natural: readonly number[], shrinkable: readonly Shrinkable[], total: number, gap: number): number[] {
  const widths = [...natural];
  let over = widths.reduce((a, b) => a + b, 0) + gap * Math.max(0, widths.length - 1) - total;
  for (const { column, min } of shrinkable) {
    if (over <= 0) break;
    const w = widths[column] ?? 0;
    const give = Math.min(over, Math.max(0, w - min));
    widths[column] = w - give;
    over -= give;
  }
  return widths;
}
