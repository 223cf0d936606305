import { describe, expect, it } from 'vitest';
import { statesText } from './offender-states.js';

describe('statesText', () => {
  it.each([
    { states: undefined, text: 'unknown' },
    { states: {}, text: 'unknown' },
    { states: { refused: 4 }, text: 'refused' },
    { states: { established: 1 }, text: 'established' },
    { states: { established: 1, refused: 5, attempt: 2 }, text: '5 refused, 2 attempt, 1 established' },
    { states: { seen: 2, unknown: 2 }, text: '2 seen, 2 unknown' },
    { states: { refused: 0, attempt: 3 }, text: 'attempt' },
  ])('$states -> $text', ({ states, text }) => {
    expect(statesText(states)).toBe(text);
  });
});
