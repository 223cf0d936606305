/**
 * Help examples as kubectl lays them out: a command too long for the line is broken with a ` \`
 * continuation where a shell would still read it as one command: never inside quotes, never
 * between a flag and its value, and before a pipeline's `|` when the rest fits on the next line.
 */
import { describe, expect, it } from 'vitest';
import { commandLines, examplesText, shellWords } from './examples.js';

describe('commandLines', () => {
  it.each([
    { title: 'fits: one line', command: 'kubectl kguardian verify -A --mismatches', width: 60, want: ['  kubectl kguardian verify -A --mismatches'] },
    {
      title: 'a pipeline breaks before its |',
      command: 'kubectl kguardian audit promote payments-isolation -n prod | kubectl apply -f -',
      width: 80,
      want: ['  kubectl kguardian audit promote payments-isolation -n prod \\', '      | kubectl apply -f -'],
    },
    {
      title: 'a quoted argument stays whole, | inside it included',
      command: `kubectl kguardian verify -A -o json | jq '.rows[] | select(.outcome == "NotEnforced")'`,
      width: 60,
      want: ['  kubectl kguardian verify -A -o json \\', `      | jq '.rows[] | select(.outcome == "NotEnforced")'`],
    },
    {
      title: 'a flag keeps its value',
      command: 'kubectl kguardian gen networkpolicy -A --cluster cluster.yaml --flows flows.jsonl --holdout 1d',
      width: 60,
      want: ['  kubectl kguardian gen networkpolicy -A \\', '      --cluster cluster.yaml --flows flows.jsonl \\', '      --holdout 1d'],
    },
  ])('$title', ({ command, width, want }) => {
    const lines = commandLines(command, width);
    expect(lines).toEqual(want);
    expect(lines.every((l) => l.length <= width)).toBe(true);
  });

  it('shellWords keeps quoted strings, with their spaces, as one word', () => {
    expect(shellWords(`a "b c" 'd | e' f`)).toEqual(['a', '"b c"', `'d | e'`, 'f']);
  });
});

describe('examplesText', () => {
  it('puts each description as # lines over its command, $0 spelled out, a blank line between examples', () => {
    const text = examplesText([['$0 ui -n prod', 'The would-deny view of the audit policies in prod'], ['$0 ui -A', 'Every namespace']], 40);
    expect(text).toBe('Examples:\n  # The would-deny view of the audit\n  # policies in prod\n  kubectl kguardian ui -n prod\n\n  # Every namespace\n  kubectl kguardian ui -A');
  });
});
