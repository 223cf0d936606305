/**
 * The limits the broker sizes its calls by are the ones the evaluator enforces: its request
 * parser and route read the same numbers.
 */
import { describe, expect, it } from 'vitest';
import { EVALUATE_LIMITS as ENFORCED } from '../daemons/evaluator/http/evaluate-request.js';
import { EVALUATE_LIMITS } from './evaluate-limits.js';

describe('EVALUATE_LIMITS', () => {
  it('are the limits the evaluator enforces', () => {
    expect(ENFORCED).toEqual(EVALUATE_LIMITS);
  });
});
