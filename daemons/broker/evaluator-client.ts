/**
 * Client of the evaluator's `POST /evaluate`: one call judges a batch of flows. It is the shared
 * retrying JSON client (runtime/json-client.ts): each attempt has a timeout; network errors,
 * timeouts, 429 and 5xx are retried with capped, jittered exponential backoff (the wait is
 * injectable so tests never sleep); other 4xx are not (retrying a request the evaluator rejects
 * cannot help). The response is validated: a malformed one is an error, and the flows stay
 * pending. The client's `signal` (the broker stopping) ends a call and its waits at once.
 *
 * The request, its items and the answer are contracts/evaluate.ts; each call carries
 * `Authorization: Bearer <token from EVALUATOR_TOKEN_FILE>` (see runtime/token-file.ts). A 409
 * (the evaluator does not hold the policy at the generation asked for) is a SupersededError.
 */
import { z } from 'zod';
import type { EvaluateItem, EvaluateResult, OnlyPolicy } from '../../contracts/evaluate.js';
import { parseEvaluateResponse } from '../../contracts/evaluate-response.js';
import type { Sleep } from '../../runtime/abortable-sleep.js';
import type { Random } from '../../runtime/backoff.js';
import { createJsonClient, isRetryable, type AnswerParser, type AttemptOutcome, type CallProblem } from '../../runtime/json-client.js';
import type { TokenSource } from '../../runtime/token-file.js';

export type { EvaluateItem, EvaluateResult, OnlyPolicy };

export interface EvaluatorClient {
  /** Judges the items; the map has an entry for each id the evaluator answered. */
  evaluate(items: EvaluateItem[], only?: OnlyPolicy): Promise<Map<number, EvaluateResult>>;
}

export interface EvaluatorClientOptions {
  baseUrl: string;
  timeoutMs?: number;
  /** Attempts per call, the first included. */
  attempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** The backoff jitter's random source; tests pin it. */
  random?: Random;
  fetch?: typeof fetch;
  /** The bearer token of each call; none when absent. */
  token?: TokenSource;
  sleep?: Sleep;
  /** Stops every call: an attempt in flight and a wait between attempts end at once. */
  signal?: AbortSignal;
  /** Told the outcome and duration of every attempt (metrics). */
  onAttempt?: (result: AttemptOutcome, seconds: number) => void;
}

export class EvaluatorError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
    this.name = 'EvaluatorError';
  }
}

/** The evaluator no longer (or not yet) holds the policy at the generation asked for (409). */
export class SupersededError extends EvaluatorError {
  constructor(readonly current: number | null) {
    super(`the evaluator holds the policy at generation ${current ?? 'none'}`, false);
    this.name = 'SupersededError';
  }
}

const conflictSchema = z.object({ current: z.int().nullable().optional() });

function superseded(body: unknown): SupersededError {
  const parsed = conflictSchema.safeParse(body);
  return new SupersededError(parsed.success ? (parsed.data.current ?? null) : null);
}

function messageOf(p: CallProblem): string {
  switch (p.kind) {
    case 'timeout':
      return 'evaluator timed out';
    case 'network':
      return `evaluator unreachable: ${String(p.cause)}`;
    case 'status':
      return `evaluator answered ${p.status}`;
    case 'invalid-json':
      return 'evaluator answered with invalid JSON';
    case 'malformed':
      return `evaluator response is malformed: ${p.problem}`;
    case 'aborted':
      return 'evaluator call stopped: the broker is shutting down';
  }
}

function errorOf(p: CallProblem): EvaluatorError {
  if (p.kind === 'status' && p.status === 409) return superseded(p.body);
  return new EvaluatorError(messageOf(p), isRetryable(p));
}

const evaluateAnswer: AnswerParser<Map<number, EvaluateResult>> = (raw) => {
  const parsed = parseEvaluateResponse(raw);
  return parsed.ok ? { ok: true, value: parsed.results } : { ok: false, problem: parsed.problem };
};

export function createEvaluatorClient(opts: EvaluatorClientOptions): EvaluatorClient {
  const http = createJsonClient({
    baseUrl: opts.baseUrl,
    token: opts.token,
    timeoutMs: opts.timeoutMs,
    attempts: opts.attempts ?? 3,
    backoff: { initialMs: opts.backoffMs ?? 200, maxMs: opts.maxBackoffMs ?? 5_000 },
    random: opts.random,
    fetch: opts.fetch,
    sleep: opts.sleep,
    signal: opts.signal,
    onAttempt: opts.onAttempt,
    errorOf,
  });
  return {
    evaluate: (items, only) => http.request({ method: 'POST', path: 'evaluate', body: only ? { flows: items, only } : { flows: items }, answer: evaluateAnswer }),
  };
}
