/**
 * The table of bench/compare.sh: reads the logs of its runs (LOGS/<bench>.<before|after>.<round>.log),
 * the figures of each (compare-figures.ts), and prints one Markdown row per figure with both sides'
 * runs, their medians and their ratio, and the ratios of the two runs of each round. Exits 1 when a figure of the code is worse after than before,
 * so a script can stop on it; the table is printed either way.
 *
 * Usage: node --import tsx bench/lib/compare-report.ts LOGS BENCH...
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareRuns, table, verdict, type Comparison, type Run } from './compare-figures.js';

/** The runs of one benchmark on one side, in the order of their rounds. */
function runs(dir: string, bench: string, side: Run['side']): Run[] {
  const re = new RegExp(`^${bench.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.${side}\\.(\\d+)\\.log$`);
  return readdirSync(dir)
    .flatMap((f) => {
      const m = re.exec(f);
      return m?.[1] === undefined ? [] : [{ f, round: Number(m[1]) }];
    })
    .sort((a, b) => a.round - b.round)
    .map(({ f, round }) => ({ side, round, out: readFileSync(join(dir, f), 'utf8') }));
}

function compare(dir: string, benches: readonly string[]): Comparison[] {
  return benches.flatMap((bench) => compareRuns(bench, [...runs(dir, bench, 'before'), ...runs(dir, bench, 'after')]));
}

const [dir, ...benches] = process.argv.slice(2);
if (dir === undefined || benches.length === 0) {
  process.stderr.write('usage: compare-report.ts LOGS BENCH...\n');
  process.exit(2);
}
const rows = compare(dir, benches);
process.stdout.write(`${table(rows)}\n`);
const worse = rows.filter((r) => verdict(r).worse);
if (worse.length > 0) {
  process.stdout.write(`\nWorse after than before (median more than 5% off): ${worse.map((r) => `${r.bench} ${r.figure}`).join('; ')}\n`);
  process.exitCode = 1;
}
