/**
 * Client of the evaluator's `POST /evaluate`: one call judges a batch of flows. Each call has a
 * timeout; network errors, timeouts, 429 and 5xx are retried with capped exponential backoff
 * (the delay is injectable so tests never sleep); other 4xx are not (retrying a request the
 * evaluator rejects cannot help). The response is validated: a malformed one is an error, and
 * the flows stay pending.
 *
 * The request, its items and the answer are contracts/evaluate.ts; each call carries
 * `Authorization: Bearer <token from EVALUATOR_TOKEN_FILE>` (see runtime/token-file.ts). A 409
 * (the evaluator does not hold the policy at the generation asked for) is a SupersededError.
 */
import { z } from 'zod';
import type { EvaluateItem, EvaluateResult, OnlyPolicy } from '../../contracts/evaluate.js';
import { parseEvaluateResponse } from '../../contracts/evaluate-response.js';
import { backoffMs } from '../../runtime/backoff.js';
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
  fetch?: typeof fetch;
  /** The bearer token of each call; none when absent. */
  token?: TokenSource;
  sleep?: (ms: number) => Promise<void>;
  /** Told the outcome and duration of every attempt (metrics). */
  onAttempt?: (result: 'ok' | 'error' | 'timeout', seconds: number) => void;
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

async function superseded(res: Response): Promise<SupersededError> {
  try {
    const parsed = conflictSchema.safeParse(await res.json());
    return new SupersededError(parsed.success ? (parsed.data.current ?? null) : null);
  } catch {
    return new SupersededError(null);
  }
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function attempt(opts: EvaluatorClientOptions, url: string, body: string): Promise<unknown> {
  const doFetch = opts.fetch ?? fetch;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const token = await opts.token?.token();
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await doFetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (err) {
    const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new EvaluatorError(timeout ? 'evaluator timed out' : `evaluator unreachable: ${String(err)}`, true);
  }
  if (res.status === 409) throw await superseded(res);
  if (!res.ok) {
    await res.body?.cancel();
    throw new EvaluatorError(`evaluator answered ${res.status}`, res.status === 429 || res.status >= 500);
  }
  try {
    return await res.json();
  } catch {
    throw new EvaluatorError('evaluator answered with invalid JSON', true);
  }
}

export function createEvaluatorClient(opts: EvaluatorClientOptions): EvaluatorClient {
  const url = new URL('evaluate', opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`).toString();
  const attempts = opts.attempts ?? 3;
  const sleep = opts.sleep ?? defaultSleep;
  return {
    async evaluate(items: EvaluateItem[], only?: OnlyPolicy): Promise<Map<number, EvaluateResult>> {
      const body = JSON.stringify(only ? { flows: items, only } : { flows: items });
      for (let i = 1; ; i++) {
        const started = performance.now();
        try {
          const parsed = parseEvaluateResponse(await attempt(opts, url, body));
          if (!parsed.ok) throw new EvaluatorError(`evaluator response is malformed: ${parsed.problem}`, false);
          opts.onAttempt?.('ok', (performance.now() - started) / 1000);
          return parsed.results;
        } catch (err) {
          const e = err instanceof EvaluatorError ? err : new EvaluatorError(String(err), false);
          opts.onAttempt?.(e.message.includes('timed out') ? 'timeout' : 'error', (performance.now() - started) / 1000);
          if (!e.retryable || i >= attempts) throw e;
          await sleep(backoffMs(i, { initialMs: opts.backoffMs ?? 200, maxMs: opts.maxBackoffMs ?? 5_000 }));
        }
      }
    },
  };
}
