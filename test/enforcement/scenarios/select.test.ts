// KG_ENFORCEMENT_SCENARIOS: named scenarios alone, in the corpus's order; an unknown name is an error naming it.
import { describe, expect, it } from 'vitest';
import { randomScenarios } from './random.js';
import { selectScenarios } from './select.js';
import { UPSTREAM_SCENARIOS } from './upstream.js';

const corpus = [...UPSTREAM_SCENARIOS, ...randomScenarios(20261203, 200)];

describe('selectScenarios', () => {
  it.each([
    { list: 'r001,r004', want: ['r001', 'r004'] },
    { list: 'r004, u43 ,r001', want: ['u43', 'r001', 'r004'] },
    { list: 'u00,', want: ['u00'] },
  ])('$list -> $want', ({ list, want }) => {
    expect(selectScenarios(list, corpus).map((s) => s.id)).toEqual(want);
  });
  it.each([
    { list: 'r200', error: /no scenario r200 in the corpus \(u00 \.\.\. u50, r000 \.\.\. r199\)/ },
    { list: 'r001,x9', error: /no scenario x9/ },
    { list: ' , ', error: /no scenario id/ },
  ])('$list: $error', ({ list, error }) => {
    expect(() => selectScenarios(list, corpus)).toThrow(error);
  });
});
