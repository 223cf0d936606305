/**
 * The figures bench/compare.sh reads from each benchmark's output, and the table it prints. A
 * benchmark prints its results as a Markdown section (engine, evaluator-http) or as plain lines
 * (broker-ingest, broker-replay); the readers match row titles and line prefixes that have stayed
 * the same across the commits compared, so an older commit's own benchmark file is read as well
 * as the current one's.
 */

/** Whether a larger value is better (a rate) or worse (a time, a size); `reference` is not the code's. */
export type Better = 'higher' | 'lower' | 'reference';

export interface Figure {
  name: string;
  value: number;
  better: Better;
}

/** A number as the benchmarks print it: `1,234,567`, `88.2`. */
function num(text: string): number {
  return Number(text.replaceAll(',', ''));
}

/** The first capture of `pattern` in `out` as a number, or undefined when the line is missing. */
function grab(out: string, pattern: RegExp): number | undefined {
  const m = pattern.exec(out);
  return m?.[1] === undefined ? undefined : num(m[1]);
}

interface Reader {
  name: string;
  better: Better;
  pattern: RegExp;
}

const N = '([\\d,]+(?:\\.\\d+)?)';

const ENGINE: Reader[] = [
  { name: 'build the indexes (ms)', better: 'lower', pattern: new RegExp(`^\\| build the indexes[^|]*\\| ${N} ms`, 'm') },
  { name: 'cold evaluations, reasons built (/s)', better: 'higher', pattern: new RegExp(`^\\| cold evaluations \\(every flow new[^|]*\\| ${N}/s`, 'm') },
  { name: 'cold evaluations, no reasons (/s)', better: 'higher', pattern: new RegExp(`^\\| cold evaluations without[^|]*\\| ${N}/s`, 'm') },
  { name: 'repeated flows through the memo (/s)', better: 'higher', pattern: new RegExp(`^\\| repeated flows[^|]*\\| ${N}/s`, 'm') },
  { name: 'pod relabelled (µs)', better: 'lower', pattern: new RegExp(`^\\| incremental update: pod relabelled \\| ${N} µs`, 'm') },
  { name: 'audit policy replaced (µs)', better: 'lower', pattern: new RegExp(`^\\| incremental update: audit policy replaced \\| ${N} µs`, 'm') },
  { name: 'namespace relabelled (µs)', better: 'lower', pattern: new RegExp(`^\\| incremental update: namespace relabelled \\| ${N} µs`, 'm') },
  { name: 'resident memory (MiB)', better: 'lower', pattern: new RegExp(`^\\| resident memory[^|]*\\| ${N} MiB`, 'm') },
];

/** The rows of the HTTP table: `| title | wall/s | cpu/s | ... N B out per flow |`. */
function httpReaders(row: string, label: string): Reader[] {
  const head = `^\\| ${row}[^|]*\\| ${N}/s \\| ${N}/s \\|`;
  return [
    { name: `${label}, wall clock (/s)`, better: 'higher', pattern: new RegExp(head, 'm') },
    { name: `${label}, per server CPU-second (/s)`, better: 'higher', pattern: new RegExp(`^\\| ${row}[^|]*\\| [\\d,]+/s \\| ${N}/s \\|`, 'm') },
    { name: `${label}, bytes out per flow`, better: 'reference', pattern: new RegExp(`^\\| ${row}[^|]*\\|[^\\n]*?/ ${N} B out per flow`, 'm') },
  ];
}

const EVALUATOR_HTTP: Reader[] = [...httpReaders('cold flows', 'never-seen flows'), ...httpReaders('repeated flows', 'repeated flows')];

const BROKER_INGEST: Reader[] = [
  { name: 'realistic repetition (observations/s)', better: 'higher', pattern: new RegExp(`^realistic: ${N} obs/s`, 'm') },
  { name: 'all distinct over HTTP (rows/s)', better: 'higher', pattern: new RegExp(`^distinct: ${N} rows/s`, 'm') },
  { name: 'COPY of the same rows (rows/s)', better: 'reference', pattern: new RegExp(`^distinct: .*COPY: ${N} rows/s`, 'm') },
  { name: 'ratio HTTP ingest / COPY', better: 'higher', pattern: new RegExp(`^distinct: .*ratio ${N}`, 'm') },
];

/** `replay: Complete in 33.09 s, 300000 flows, ...`: the rate is what a reader compares. */
function readReplay(out: string): Figure[] {
  const m = /^replay: Complete in ([\d.]+) s, (\d+) flows/m.exec(out);
  const loaded = /^loaded \d+ flows in ([\d.]+) s/m.exec(out);
  const figures: Figure[] = [];
  if (m?.[1] !== undefined && m[2] !== undefined) figures.push({ name: 'replay, job to Complete (flow rows/s)', value: num(m[2]) / num(m[1]), better: 'higher' });
  if (loaded?.[1] !== undefined) figures.push({ name: 'loading the rows into PostgreSQL (s)', value: num(loaded[1]), better: 'reference' });
  return figures;
}

function readAll(readers: Reader[]): (out: string) => Figure[] {
  return (out) =>
    readers.flatMap((r) => {
      const value = grab(out, r.pattern);
      return value === undefined ? [] : [{ name: r.name, value, better: r.better }];
    });
}

/** The benchmarks the comparison knows how to read, by the name of their file in bench/. */
export const READERS: Record<string, (out: string) => Figure[]> = {
  engine: readAll(ENGINE),
  'evaluator-http': readAll(EVALUATOR_HTTP),
  'broker-ingest': readAll(BROKER_INGEST),
  'broker-replay': readReplay,
};

/** Every figure one benchmark run printed; a run that printed none of them is an error. */
export function readFigures(bench: string, out: string): Figure[] {
  const reader = READERS[bench];
  if (reader === undefined) throw new Error(`bench/compare.sh cannot read ${bench}: it knows ${Object.keys(READERS).join(', ')}`);
  const figures = reader(out);
  if (figures.length === 0) throw new Error(`no figure found in the output of ${bench}`);
  return figures;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** One figure's runs on both sides. */
export interface Comparison {
  bench: string;
  figure: string;
  better: Better;
  before: number[];
  after: number[];
  /**
   * [before, after] of each round in which both sides printed the figure. The two runs of a round
   * follow each other, so they see nearly the same load; their ratio leaves out the load's drift
   * over the whole comparison, which the two sides' medians keep.
   */
  rounds?: [number, number][];
}

/** One run's output: the side, the round it ran in, what it printed. */
export interface Run {
  side: 'before' | 'after';
  round: number;
  out: string;
}

/**
 * Every figure of one benchmark's runs, both sides' values in the order of their rounds, and the
 * two runs of each round paired. A figure only one side prints (a row added later) has nothing to
 * compare against and is left out.
 */
export function compareRuns(bench: string, runs: readonly Run[]): Comparison[] {
  type Collected = Comparison & { byRound: Record<Run['side'], Map<number, number>> };
  const byFigure = new Map<string, Collected>();
  for (const run of [...runs].sort((x, y) => x.round - y.round)) {
    for (const f of readFigures(bench, run.out)) {
      const row: Collected = byFigure.get(f.name) ?? { bench, figure: f.name, better: f.better, before: [], after: [], byRound: { before: new Map(), after: new Map() } };
      byFigure.set(f.name, row);
      row[run.side].push(f.value);
      row.byRound[run.side].set(run.round, f.value);
    }
  }
  return [...byFigure.values()]
    .filter((r) => r.before.length > 0 && r.after.length > 0)
    .map(({ byRound, ...row }) => ({
      ...row,
      rounds: [...byRound.before].flatMap(([round, b]) => {
        const a = byRound.after.get(round);
        return a === undefined ? [] : [[b, a] as [number, number]];
      }),
    }));
}

/** Worse means more than 5% worse in the figure's own direction, medians against medians. */
export const WORSE_BY = 0.05;

/** Whether `ratio` (after/before) is more than WORSE_BY worse in the figure's own direction. */
function worseRatio(better: Better, ratio: number): boolean {
  if (better === 'higher') return ratio < 1 - WORSE_BY;
  if (better === 'lower') return ratio > 1 / (1 - WORSE_BY);
  return false;
}

export function verdict(c: Comparison): { ratio: number; worse: boolean } {
  const ratio = median(c.after) / median(c.before);
  return { ratio, worse: worseRatio(c.better, ratio) };
}

/** The round-by-round ratios after/before: their median, lowest, highest, and how many are worse. */
export interface RoundRatios {
  ratios: number[];
  median: number;
  min: number;
  max: number;
  worse: number;
}

export function roundRatios(c: Comparison): RoundRatios | undefined {
  const ratios = (c.rounds ?? []).map(([before, after]) => after / before);
  if (ratios.length === 0) return undefined;
  return {
    ratios,
    median: median(ratios),
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    worse: ratios.filter((r) => worseRatio(c.better, r)).length,
  };
}

/** `0.97 (0.84-1.12), worse in 3 of 8`: a reader sees at once whether the rounds agree. */
function roundsCell(c: Comparison): string {
  const r = roundRatios(c);
  if (r === undefined) return '';
  const range = r.ratios.length > 1 ? ` (${r.min.toFixed(2)}-${r.max.toFixed(2)})` : '';
  return c.better === 'reference' ? `${r.median.toFixed(2)}${range}` : `${r.median.toFixed(2)}${range}, worse in ${r.worse} of ${r.ratios.length}`;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  return x.toFixed(Math.abs(x) >= 10 ? 1 : 2);
}

/**
 * The Markdown table: one row per figure, the runs in the order they ran, the ratio of the medians
 * (which decides the mark), and the ratios round by round (median, lowest-highest, how many rounds
 * more than WORSE_BY worse) so a mark the rounds do not agree on shows as such.
 */
export function table(rows: readonly Comparison[]): string {
  const lines = [
    '| benchmark | figure | better | before runs | after runs | before median | after median | after/before | round by round | |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of rows) {
    const { ratio, worse } = verdict(c);
    const mark = c.better === 'reference' ? 'not the code' : worse ? '**WORSE**' : 'ok';
    lines.push(`| ${c.bench} | ${c.figure} | ${c.better} | ${c.before.map(fmt).join(', ')} | ${c.after.map(fmt).join(', ')} | ${fmt(median(c.before))} | ${fmt(median(c.after))} | ${ratio.toFixed(2)} | ${roundsCell(c)} | ${mark} |`);
  }
  return lines.join('\n');
}
