/**
 * A verdict's connection state in words, the same four the agent records and `verdicts --state`
 * filters by. A refused or never-answered attempt is marked as failed wherever a verdict is shown:
 * an Allow of a connection that never happened is not evidence of working traffic.
 */
import type { StoredVerdict } from '../../../../contracts/web-view.js';

type State = StoredVerdict['state'];

const SHORT: Readonly<Record<State, string>> = {
  established: 'established',
  attempt: '✕ attempt',
  refused: '✕ refused',
  seen: 'seen',
  unknown: 'unknown',
};

const SENTENCE: Readonly<Record<State, string>> = {
  established: 'established: the connection was made (working traffic).',
  attempt: 'attempt: the connection was never established (no answer, or dropped on the way). It was tried and failed: not working traffic.',
  refused: 'refused: the destination answered with a reset. It was tried and failed: not working traffic.',
  seen: 'seen: UDP packets went by; with no handshake, whether they were answered is not known.',
  unknown: 'unknown: the verdict was stored before the broker kept connection states.',
};

/** The state column's text. */
export function stateText(s: State): string {
  return SHORT[s];
}

/** The row detail's sentence. */
export function stateSentence(s: State): string {
  return SENTENCE[s];
}

/** Tried and failed: shown apart from working traffic. */
export function failedConnection(s: State): boolean {
  return s === 'attempt' || s === 'refused';
}
