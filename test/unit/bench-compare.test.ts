/**
 * bench/compare.sh reads each benchmark's figures from what it prints, in the wording of the
 * commit compared against (1470a6a) as well as the current one, judges a figure worse in its
 * own direction, and pairs the two runs of each round.
 */
import { describe, expect, it } from 'vitest';
import { compareRuns, median, readFigures, roundRatios, table, verdict, type Comparison } from '../../bench/lib/compare-figures.js';

const ENGINE = `## Policy engine (\`bench/engine.bench.ts\`)

| figure | result | target |
|---|---|---|
| build the indexes from scratch | 6568 ms | |
| cold evaluations (every flow new, reasons built) | 3,467/s (5768 ms, 14,555 denied) | ≥ 500,000/s |
| cold evaluations without reason sentences (\`{ reasons: false }\`) | 13,353/s | |
| repeated flows (10,000 distinct, through the memo) | 1,492,717/s (hit rate 56.8%) | |
| incremental update: pod relabelled | 761.4 µs each | |
| incremental update: audit policy replaced | 1704.8 µs each | |
| incremental update: namespace relabelled | 103.1 µs each | |
| resident memory after the run | 162 MiB (heap used 43 MiB) | < 300 MB |
`;

// 1470a6a's wording of the encoding line differs; the table rows read are the same.
const EVALUATOR_BEFORE = `| figure | wall clock | per server CPU-second | detail |
|---|---|---|---|
| repeated flows (10,000 distinct, memo warm) | 174,724/s | 176,149/s | 1,000,000 in 2,000 requests, 174 B in / 558 B out per flow |
| cold flows (every flow new) | 40,223/s | 40,233/s | 500,000 in 1,000 requests, 176 B in / 556 B out per flow |

Encoding alone (in-process, one 500-flow response of repeated evaluations): \`JSON.stringify\` of the whole 362,421 flows/s,
`;

const INGEST = `could not change directory to "/tmp/x": Permission denied
realistic: 36385 obs/s, ~2998 distinct flows per 5,000-observation batch
distinct: 11163 rows/s; COPY: 21185 rows/s; ratio 0.53 (load average 13.79)
`;

const REPLAY = `loaded 300000 flows in 12.5 s
replay: Complete in 33.09 s, 300000 flows, 70000 verdict rows; counted 600000 of 600000
`;

describe('readFigures', () => {
  it('reads every engine figure with its direction', () => {
    const got = readFigures('engine', ENGINE);
    expect(got.map((f) => [f.name, f.value, f.better])).toEqual([
      ['build the indexes (ms)', 6568, 'lower'],
      ['cold evaluations, reasons built (/s)', 3467, 'higher'],
      ['cold evaluations, no reasons (/s)', 13353, 'higher'],
      ['repeated flows through the memo (/s)', 1492717, 'higher'],
      ['pod relabelled (µs)', 761.4, 'lower'],
      ['audit policy replaced (µs)', 1704.8, 'lower'],
      ['namespace relabelled (µs)', 103.1, 'lower'],
      ['resident memory (MiB)', 162, 'lower'],
    ]);
  });

  it('reads both HTTP rows, wall clock and per CPU-second, in the older wording', () => {
    const got = Object.fromEntries(readFigures('evaluator-http', EVALUATOR_BEFORE).map((f) => [f.name, f.value]));
    expect(got).toEqual({
      'never-seen flows, wall clock (/s)': 40223,
      'never-seen flows, per server CPU-second (/s)': 40233,
      'never-seen flows, bytes out per flow': 556,
      'repeated flows, wall clock (/s)': 174724,
      'repeated flows, per server CPU-second (/s)': 176149,
      'repeated flows, bytes out per flow': 558,
    });
  });

  it('reads the broker lines, past a line of noise', () => {
    expect(readFigures('broker-ingest', INGEST).map((f) => f.value)).toEqual([36385, 11163, 21185, 0.53]);
    const replay = readFigures('broker-replay', REPLAY);
    expect(replay[0]).toMatchObject({ name: 'replay, job to Complete (flow rows/s)', better: 'higher' });
    expect(replay[0]?.value).toBeCloseTo(300000 / 33.09);
    expect(replay[1]).toMatchObject({ value: 12.5, better: 'reference' });
  });

  it('refuses output with no figure (a benchmark that changed its wording or failed)', () => {
    expect(() => readFigures('engine', 'Error: boom')).toThrow(/no figure/);
    expect(() => readFigures('nope', ENGINE)).toThrow(/cannot read nope/);
  });
});

describe('verdict', () => {
  const row = (better: Comparison['better'], before: number[], after: number[]): Comparison => ({ bench: 'b', figure: 'f', better, before, after });
  it.each([
    { title: 'a rate 6% lower is worse', c: row('higher', [100, 100, 100], [94, 94, 94]), worse: true },
    { title: 'a rate 4% lower is within the noise', c: row('higher', [100, 100, 100], [96, 96, 96]), worse: false },
    { title: 'a time 6% longer is worse', c: row('lower', [100], [106]), worse: true },
    { title: 'a time shorter is better', c: row('lower', [100], [50]), worse: false },
    { title: 'a reference figure is never the code\'s fault', c: row('reference', [100], [10]), worse: false },
    // Medians: one slow run on a busy machine does not decide.
    { title: 'medians, not means', c: row('higher', [100, 100, 10], [100, 99, 98]), worse: false },
  ])('$title', ({ c, worse }) => {
    expect(verdict(c).worse).toBe(worse);
  });

  it('median of an even count is the mean of the middle two', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('the table marks the worse row', () => {
    const out = table([row('higher', [100, 100, 100], [50, 50, 50]), row('higher', [100], [120])]);
    expect(out.split('\n')[2]).toMatch(/\| 0\.50 \| {2}\| \*\*WORSE\*\* \|$/);
    expect(out.split('\n')[3]).toMatch(/\| 1\.20 \| {2}\| ok \|$/);
  });

  it('the table shows the rounds\' ratios beside the ratio of the medians', () => {
    const c = { ...row('higher', [100, 200, 100], [90, 220, 80]), rounds: [[100, 90], [200, 220], [100, 80]] as [number, number][] };
    expect(table([c]).split('\n')[2]).toMatch(/\| 0\.90 \| 0\.90 \(0\.80-1\.10\), worse in 2 of 3 \| \*\*WORSE\*\* \|$/);
    const ref = { ...row('reference', [100], [50]), rounds: [[100, 50]] as [number, number][] };
    expect(table([ref]).split('\n')[2]).toMatch(/\| 0\.50 \| 0\.50 \| not the code \|$/);
  });
});

describe('rounds', () => {
  const INGEST_RUN = (realistic: number): string => `realistic: ${realistic} obs/s, ~3000 distinct flows per 5,000-observation batch\n`;

  it('pairs the two runs of each round, in round order, and leaves out a round one side lacks', () => {
    const [c] = compareRuns('broker-ingest', [
      { side: 'after', round: 3, out: INGEST_RUN(330) },
      { side: 'before', round: 1, out: INGEST_RUN(100) },
      { side: 'before', round: 3, out: INGEST_RUN(300) },
      { side: 'after', round: 1, out: INGEST_RUN(110) },
      { side: 'before', round: 2, out: INGEST_RUN(200) },
    ]);
    expect(c).toMatchObject({ figure: 'realistic repetition (observations/s)', before: [100, 200, 300], after: [110, 330] });
    expect(c?.rounds).toEqual([[100, 110], [300, 330]]);
  });

  it('leaves out a figure only one side printed', () => {
    const rows = compareRuns('broker-ingest', [
      { side: 'before', round: 1, out: INGEST_RUN(100) },
      { side: 'after', round: 1, out: `${INGEST_RUN(110)}distinct: 5 rows/s; COPY: 10 rows/s; ratio 0.50\n` },
    ]);
    expect(rows.map((r) => r.figure)).toEqual(['realistic repetition (observations/s)']);
  });

  const paired = (better: Comparison['better'], rounds: [number, number][]): Comparison => ({ bench: 'b', figure: 'f', better, before: [], after: [], rounds });
  it.each([
    { title: 'a rate: lower ratios are worse', c: paired('higher', [[100, 80], [100, 97], [100, 120], [100, 94]]), median: 0.955, min: 0.8, max: 1.2, worse: 2 },
    { title: 'a time: higher ratios are worse', c: paired('lower', [[10, 12], [10, 10], [10, 9]]), median: 1, min: 0.9, max: 1.2, worse: 1 },
    { title: 'a reference figure is never worse', c: paired('reference', [[10, 20]]), median: 2, min: 2, max: 2, worse: 0 },
  ])('$title', ({ c, median: m, min, max, worse }) => {
    const r = roundRatios(c);
    expect(r?.median).toBeCloseTo(m);
    expect(r?.min).toBeCloseTo(min);
    expect(r?.max).toBeCloseTo(max);
    expect(r?.worse).toBe(worse);
  });

  it('no paired round, no round ratios', () => {
    expect(roundRatios(paired('higher', []))).toBeUndefined();
  });
});
