/** Output width, cutting, wrapping and fitting columns: the arithmetic the tables rely on. */
import { describe, expect, it } from 'vitest';
import { fitWidths } from './fit.js';
import { renderFittedTable, wrapLine } from './table.js';
import { ellipsis, outputWidth, wrapWords } from './width.js';

describe('outputWidth', () => {
  it.each([
    { env: { COLUMNS: '100' }, columns: 200, want: 100 }, // $COLUMNS wins, as in shells
    { env: {}, columns: 90, want: 90 }, // the terminal
    { env: {}, columns: undefined, want: 120 }, // a pipe
    { env: { COLUMNS: 'wide' }, columns: undefined, want: 120 },
    { env: { COLUMNS: '20' }, columns: undefined, want: 60 }, // too narrow to fit anything: lines run over
  ])('COLUMNS=$env.COLUMNS, terminal $columns: $want', ({ env, columns, want }) => {
    expect(outputWidth({ env, columns })).toBe(want);
  });
});

describe('ellipsis and wrapWords', () => {
  it.each([
    { text: 'prod/payments-isolation', width: 30, want: 'prod/payments-isolation' },
    { text: 'prod/payments-isolation', width: 10, want: 'prod/paym…' },
    { text: 'abc', width: 0, want: '' },
  ])('ellipsis($text, $width)', ({ text, width, want }) => {
    expect(ellipsis(text, width)).toBe(want);
    expect(ellipsis(text, width).length).toBeLessThanOrEqual(Math.max(width, 0));
  });

  it('wraps at word boundaries; a longer word gets its own line', () => {
    expect(wrapWords('the counts are for an older spec', 12)).toEqual(['the counts', 'are for an', 'older spec']);
    expect(wrapWords('see kubernetes.io/metadata.name=kube-system now', 10)).toEqual(['see', 'kubernetes.io/metadata.name=kube-system', 'now']);
  });

  it('wrapLine keeps the first line within the width after its lead, and hangs the rest', () => {
    const text = wrapLine('  warning: ', 'two flows had a peer with no known pod so the counts may be low', 40, 4);
    expect(text.split('\n').filter(Boolean).every((l) => l.length <= 40)).toBe(true);
    expect(text).toMatch(/^ {2}warning: two/);
    expect(text.split('\n')[1]).toMatch(/^ {4}\S/);
  });
});

describe('fitWidths', () => {
  it.each([
    { title: 'fits already: unchanged', natural: [5, 10, 40], total: 100, want: [5, 10, 40] },
    { title: 'the first shrinkable gives way first', natural: [5, 10, 40], total: 50, want: [5, 10, 29] },
    { title: 'then the next, down to its minimum', natural: [5, 30, 40], total: 50, want: [5, 19, 20] },
    { title: 'minimums reached: the line runs over', natural: [5, 30, 40], total: 20, want: [5, 10, 20] },
  ])('$title', ({ natural, total, want }) => {
    expect(fitWidths(natural, [{ column: 2, min: 20 }, { column: 1, min: 10 }], total, 3)).toEqual(want);
  });
});

describe('renderFittedTable', () => {
  it('wraps the last column under itself and keeps every line within the width', () => {
    const out = renderFittedTable(['Type', 'Message'], [['Warning', 'web/web-6c4d -> prod/payments-0 8080/TCP would be denied, twelve times in the last ten minutes']], { indent: '  ', width: 50 });
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('  TYPE      MESSAGE');
    expect(lines.every((l) => l.length <= 50)).toBe(true);
    expect(lines.slice(2).every((l) => l.startsWith(' '.repeat(12)))).toBe(true);
    expect(lines.slice(1).join(' ').replace(/\s+/g, ' ').trim()).toBe('Warning web/web-6c4d -> prod/payments-0 8080/TCP would be denied, twelve times in the last ten minutes');
  });
});
