/**
 * The one retrying JSON client of the daemons: the broker's client of the evaluator and the
 * evaluator's client of the broker are both this, with their own paths, answers and errors.
 *
 * - Each attempt has its own timeout, and reads the bearer token afresh (the kubelet rotates it).
 * - Network errors, timeouts, a body that is not JSON, 429 and 5xx are retried; other 4xx are
 *   not (a request the server refuses will be refused again), nor is an answer of the wrong shape.
 * - Between attempts it waits a capped exponential backoff with jitter (runtime/backoff.ts), or
 *   the server's Retry-After when that is longer, never past the cap: the cap is what bounds a
 *   loop's stall, whatever a server asks for.
 * - The client's signal (the process stopping) or the call's signal ends an attempt in flight
 *   and a wait between attempts at once, with an `aborted` problem.
 * - The answer is checked by a zod schema (contracts/ holds the shared ones) or a fast parser.
 *
 * Callers keep their own error classes: the client describes what went wrong as a CallProblem
 * and the caller's `errorOf` turns it into the error it throws.
 */
import type { z } from 'zod';
import { abortableSleep, type Sleep } from './abortable-sleep.js';
import { backoffMs, type Backoff, type Random } from './backoff.js';
import type { TokenSource } from './token-file.js';

/** Why an attempt (or the whole call) failed. */
export type CallProblem =
  | { kind: 'timeout' }
  | { kind: 'network'; cause: unknown }
  /** A status other than 2xx; `body` is the answer's JSON, or undefined when it had none. */
  | { kind: 'status'; status: number; body: unknown; retryAfterMs?: number }
  | { kind: 'invalid-json' }
  /** A JSON answer of the wrong shape. */
  | { kind: 'malformed'; problem: string }
  | { kind: 'aborted' };

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** A hand-written check of an answer, for answers too large for zod to be cheap. */
export type AnswerParser<T> = (raw: unknown) => Parsed<T>;

export type AttemptOutcome = 'ok' | 'error' | 'timeout';

export interface JsonRequest<T> {
  method?: 'GET' | 'POST';
  /** Resolved against the base URL, whose own path is kept. */
  path: string;
  /** Sent as JSON. */
  body?: unknown;
  answer: z.ZodType<T> | AnswerParser<T>;
  /** Ends this call (its attempt and its waits) at once. */
  signal?: AbortSignal;
}

export interface JsonClientOptions {
  baseUrl: string;
  /** The bearer token of each attempt; none when absent. */
  token?: TokenSource;
  /** Per attempt, body included (default 10 s). */
  timeoutMs?: number;
  /** Attempts per call, the first included (default 3). */
  attempts?: number;
  /** Default: 200 ms doubling to 5 s, half of each wait drawn at random. */
  backoff?: Partial<Backoff>;
  /** The jitter's random source; tests pin it. */
  random?: Random;
  fetch?: typeof fetch;
  /** The wait between attempts; tests inject one that does not wait. Default: abortableSleep. */
  sleep?: Sleep;
  /** Stops every call of this client: attempts in flight and waits end at once. */
  signal?: AbortSignal;
  /** Told the outcome and duration of every attempt (metrics). */
  onAttempt?: (outcome: AttemptOutcome, seconds: number) => void;
  /** The error a failed call throws. */
  errorOf: (problem: CallProblem, request: JsonRequest<unknown>) => Error;
}

export interface JsonClient {
  request<T>(req: JsonRequest<T>): Promise<T>;
}

/** Whether another attempt may succeed where this one failed. */
export function isRetryable(p: CallProblem): boolean {
  switch (p.kind) {
    case 'timeout':
    case 'network':
    case 'invalid-json':
      return true;
    case 'status':
      return p.status === 429 || p.status >= 500;
    case 'malformed':
    case 'aborted':
      return false;
  }
}

/** Retry-After as milliseconds: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP-date form starts with a day name; Date.parse alone would read "-5" as a year.
  if (!/^[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(at - now, 0);
}

/** Thrown inside an attempt to carry its problem out of the try. */
class AttemptFailure extends Error {
  constructor(readonly problem: CallProblem) {
    super(problem.kind);
  }
}

/**
 * A signal that aborts when any of `sources` does, unlinked by `dispose`. Not AbortSignal.any:
 * the client's signal lives as long as the process, and each signal AbortSignal.any derives from
 * it stays registered on it (a leak some Node versions have had), so calls link and unlink by hand.
 */
function linkedSignal(sources: (AbortSignal | undefined)[]): { signal: AbortSignal; dispose: () => void } {
  const ctl = new AbortController();
  const live = sources.filter((s): s is AbortSignal => s !== undefined);
  const onAbort = (): void => {
    ctl.abort();
  };
  for (const s of live) {
    if (s.aborted) ctl.abort();
    else s.addEventListener('abort', onAbort, { once: true });
  }
  return {
    signal: ctl.signal,
    dispose: () => {
      for (const s of live) s.removeEventListener('abort', onAbort);
    },
  };
}

/** One call's request, worked out once for all its attempts. */
interface Call<T> {
  req: JsonRequest<T>;
  /** The client's and the call's signals together. */
  stop: AbortSignal;
  url: string;
  /** The JSON text sent, if any. */
  body: string | undefined;
}

function parseAnswer<T>(answer: JsonRequest<T>['answer'], raw: unknown): Parsed<T> {
  if (typeof answer === 'function') return answer(raw);
  const r = answer.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, problem: r.error.message };
}

function urlOf(baseUrl: string, path: string): string {
  return new URL(path.replace(/^\/+/, ''), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString();
}

/** What went wrong while talking to the server: the caller stopping, the attempt's timeout, or the network. */
function transportProblem(err: unknown, stop: AbortSignal, timeout: AbortSignal): CallProblem {
  if (stop.aborted) return { kind: 'aborted' };
  if (timeout.aborted || (err instanceof Error && err.name === 'TimeoutError')) return { kind: 'timeout' };
  return { kind: 'network', cause: err };
}

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

class RetryingJsonClient implements JsonClient {
  private readonly backoff: Backoff;

  constructor(private readonly o: JsonClientOptions) {
    this.backoff = { initialMs: 200, maxMs: 5_000, jitter: 0.5, ...o.backoff };
  }

  async request<T>(req: JsonRequest<T>): Promise<T> {
    const stop = linkedSignal([this.o.signal, req.signal]);
    try {
      return await this.attempts(req, stop.signal);
    } finally {
      stop.dispose();
    }
  }

  private async attempts<T>(req: JsonRequest<T>, stop: AbortSignal): Promise<T> {
    const attempts = this.o.attempts ?? 3;
    const sleep = this.o.sleep ?? abortableSleep;
    const call: Call<T> = { req, stop, url: urlOf(this.o.baseUrl, req.path), body: req.body === undefined ? undefined : JSON.stringify(req.body) };
    for (let i = 1; ; i++) {
      if (stop.aborted) throw this.o.errorOf({ kind: 'aborted' }, req);
      const started = performance.now();
      const outcome = await this.once(call);
      const seconds = (performance.now() - started) / 1000;
      if (outcome.ok) {
        this.o.onAttempt?.('ok', seconds);
        return outcome.value;
      }
      const problem = outcome.problem;
      this.o.onAttempt?.(problem.kind === 'timeout' ? 'timeout' : 'error', seconds);
      if (!isRetryable(problem) || i >= attempts) throw this.o.errorOf(problem, req);
      await sleep(this.waitMs(i, problem), stop);
    }
  }

  /** One attempt, its answer checked. */
  private async once<T>(c: Call<T>): Promise<{ ok: true; value: T } | { ok: false; problem: CallProblem }> {
    try {
      const parsed = parseAnswer(c.req.answer, await this.attempt(c));
      return parsed.ok ? parsed : { ok: false, problem: { kind: 'malformed', problem: parsed.problem } };
    } catch (err) {
      if (err instanceof AttemptFailure) return { ok: false, problem: err.problem };
      throw err;
    }
  }

  /** The backoff, or a longer Retry-After, within the cap. */
  private waitMs(failures: number, p: CallProblem): number {
    const backoff = backoffMs(failures, this.backoff, this.o.random);
    const asked = p.kind === 'status' ? (p.retryAfterMs ?? 0) : 0;
    return Math.min(Math.max(backoff, asked), this.backoff.maxMs);
  }

  private async attempt(c: Call<unknown>): Promise<unknown> {
    const { url, body, stop } = c;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const token = await this.o.token?.token();
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    const timeout = AbortSignal.timeout(this.o.timeoutMs ?? 10_000);
    let status: number;
    let retryAfter: string | null;
    let text: string;
    try {
      const res = await (this.o.fetch ?? fetch)(url, { method: c.req.method ?? 'GET', headers, body, signal: AbortSignal.any([timeout, stop]) });
      status = res.status;
      retryAfter = res.headers.get('Retry-After');
      text = await res.text();
    } catch (err) {
      throw new AttemptFailure(transportProblem(err, stop, timeout));
    }
    if (status < 200 || status > 299) {
      throw new AttemptFailure({ kind: 'status', status, body: jsonOrUndefined(text), retryAfterMs: retryAfterMs(retryAfter) });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new AttemptFailure({ kind: 'invalid-json' });
    }
  }
}

export function createJsonClient(opts: JsonClientOptions): JsonClient {
  return new RetryingJsonClient(opts);
}
