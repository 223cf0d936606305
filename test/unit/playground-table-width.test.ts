import { describe, expect, it } from 'vitest';
import { tableWidth } from '../../playground/kubectl.js';

describe('the width the playground gives the plugin\'s tables', () => {
  it.each([
    ['a terminal of 120 columns, less the indent', { isTTY: true, columns: 120 }, {}, 116],
    ['a terminal, whatever COLUMNS says', { isTTY: true, columns: 100 }, { COLUMNS: '300' }, 96],
    ['a very narrow terminal', { isTTY: true, columns: 20 }, {}, 40],
    ['a pipe with COLUMNS set', { isTTY: false }, { COLUMNS: '90' }, 90],
    ['a pipe with a bad COLUMNS', {}, { COLUMNS: 'wide' }, 160],
    ['a pipe without COLUMNS', {}, {}, 160],
  ])('%s', (_what, stdout, env, width) => {
    expect(tableWidth(stdout, env)).toBe(width);
  });
});
