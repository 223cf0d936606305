/** Output width, cutting, wrapping and fitting columns: the arithmetic the tables rely on. */
import { describe, expect, it } from 'vitest';
import { fitWidths } from './fit.js';
import { commandLines, renderFittedTable, wrapLine } from './table.js';
import { ellipsis, errorWidth, outputWidth, wrapWords } from './width.js';

describe('outputWidth', () => {
  it.each([
    { env: { COLUMNS: '100' }, columns: 200, want: 100 }, // $COLUMNS wins, as in shells
    { env: {}, columns: 90, want: 90 }, // the terminal
    { env: {}, columns: undefined, want: Infinity }, // a pipe: nothing is fitted or cut
    { env: { COLUMNS: 'wide' }, columns: undefined, want: Infinity },
    { env: { COLUMNS: '120' }, columns: undefined, want: 120 }, // a pipe with COLUMNS set: fitted
    { env: { COLUMNS: '20' }, columns: undefined, want: 60 }, // too narrow to fit anything: lines run over
  ])('COLUMNS=$env.COLUMNS, terminal $columns: $want', ({ env, columns, want }) => {
    expect(outputWidth({ env, columns })).toBe(want);
  });
});

describe('errorWidth', () => {
  it.each([
    { env: {}, columns: undefined, errColumns: 90, want: 90 }, // stderr a terminal, stdout a pipe: stderr's width
    { env: {}, columns: 90, errColumns: undefined, want: Infinity }, // stderr redirected: one line each, whatever stdout is
    { env: { COLUMNS: '100' }, columns: undefined, errColumns: 200, want: 100 }, // $COLUMNS wins, as for stdout
    { env: { COLUMNS: '20' }, columns: undefined, errColumns: 40, want: 60 },
  ])('COLUMNS=$env.COLUMNS, stdout $columns, stderr $errColumns: $want', ({ env, columns, errColumns, want }) => {
    const io = { env, columns, errColumns }; // stdout's width is there to be ignored
    expect(errorWidth(io)).toBe(want);
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

  it('wraps at word boundaries; a longer word breaks after a , / = - . or : that leaves a third of the line, else at the width', () => {
    expect(wrapWords('the counts are for an older spec', 12)).toEqual(['the counts', 'are for an', 'older spec']);
    expect(wrapWords('see kubernetes.io/metadata.name=kube-system now', 16)).toEqual(['see', 'kubernetes.io/', 'metadata.name=', 'kube-system now']);
    expect(wrapWords('labels a=b,team=payments,tier=backend', 20)).toEqual(['labels', 'a=b,team=payments,', 'tier=backend']);
    expect(wrapWords('0123456789abcdefghij', 8)).toEqual(['01234567', '89abcdef', 'ghij']);
    expect(wrapWords('x', Infinity)).toEqual(['x']);
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

describe('renderFittedTable on a narrow line', () => {
  it('puts the last column under its row when fewer than 24 characters would be left for it', () => {
    const out = renderFittedTable(['Type', 'Status', 'Reason', 'Age', 'Message'], [['Evaluated', 'True', 'Evaluated', '3m', '6 flows would be denied in the last 15m']], { indent: '  ', width: 60 });
    expect(out).toBe('  TYPE        STATUS   REASON      AGE   MESSAGE\n  Evaluated   True     Evaluated   3m\n      6 flows would be denied in the last 15m\n');
  });
});

describe('commandLines', () => {
  const cmd = 'kubectl kguardian audit promote payments-isolation -n prod --force';
  it.each([
    { width: 100, want: `  Next: ${cmd}\n` },
    { width: 72, want: `  Next:\n    ${cmd}\n` },
    { width: 60, want: '  Next:\n    kubectl kguardian audit promote payments-isolation \\\n      -n prod --force\n' },
  ])('at $width columns', ({ width, want }) => {
    const out = commandLines('  Next: ', cmd, width, '    ');
    expect(out).toBe(want);
    expect(out.split('\n').every((l) => l.length <= width)).toBe(true);
  });
});
