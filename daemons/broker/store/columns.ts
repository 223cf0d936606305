/**
 * Bulk statements pass one array per column (`unnest($1::int[], $2::text[], ...)`): a single
 * round trip and a single plan for any number of rows, with every value still a parameter.
 */

/** Turns rows of `width` values into `width` column arrays. */
export function transpose(rows: readonly (readonly unknown[])[], width: number): unknown[][] {
  const cols: unknown[][] = [];
  for (let c = 0; c < width; c++) cols.push(rows.map((r) => r[c]));
  return cols;
}
