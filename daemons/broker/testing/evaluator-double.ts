/**
 * A stand-in for the evaluator daemon in tests: a real HTTP server on 127.0.0.1 answering
 * `POST /evaluate` with the answers (contracts/evaluate-answer.ts) of canned FlowEvaluations from a
 * function of the flow. It can be taken
 * "down" (503s) or made slow, and records every request it got and how many it held at once. The
 * end-to-end tests (test/e2e/) run the real evaluator instead.
 *
 * It honours the contract's `only`: the answer keeps only verdicts whose `ref.uid` is the one
 * asked for (the judge is told `only` too, to stamp the generation). Its model of generations is
 * `generations`: a uid held there at another generation (or at null: deleted) gets
 * 409 {"field": "only.generation", "current"}; a uid it does not list is accepted (not modelled).
 * With `requireToken` set, a request without `Authorization: Bearer <requireToken>` gets a 401.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EvaluateItem, OnlyPolicy } from '../evaluator-client.js';
import type { FlowEvaluation, PolicyVerdict } from '../../../policy/types.js';
import { answerOf } from '../../../contracts/evaluate-answer.js';

export interface EvaluatorCall {
  flows: EvaluateItem[];
  only?: OnlyPolicy;
  authorization?: string;
}

export interface EvaluatorDouble {
  url: string;
  /** The flows of every answered request, in arrival order. */
  requests: EvaluateItem[][];
  /** Every request that reached the judge or was refused with 409/401, with its `only` and header. */
  calls: EvaluatorCall[];
  /** When true, every request gets a 503. */
  down: boolean;
  delayMs: number;
  /**
   * When set, requests are held (unanswered) until this many are in flight at once, then all are
   * answered and the hold ends: a bound on concurrency is shown reached without a race against time.
   */
  holdUntilInFlight?: number;
  /** Requests received and not yet answered (or abandoned by the client), now and at most so far. */
  inFlight: number;
  maxInFlight: number;
  /** The generation the double's model holds per policy uid (null: the policy is gone). */
  generations: Map<string, number | null>;
  requireToken?: string;
  /** When set, each item's answer is this instead of the judge's (to send malformed answers). */
  rawAnswer?: (item: EvaluateItem) => unknown;
  close(): Promise<void>;
}

export type Judge = (item: EvaluateItem, only?: OnlyPolicy) => FlowEvaluation;

/** A FlowEvaluation holding `verdicts` and neutral everything else. */
export function evaluationOf(verdicts: PolicyVerdict[]): FlowEvaluation {
  const allow = { ingress: 'Allow', egress: 'Allow', allowed: true } as const;
  return { src: null, dst: null, verdicts, effective: allow, enforced: allow, notes: [] };
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) res.writeHead(status).end();
  else res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function answer(double: EvaluatorDouble, judge: Judge, req: IncomingMessage, raw: string, res: ServerResponse): void {
  if (req.url !== '/evaluate' || req.method !== 'POST' || double.down) {
    send(res, double.down ? 503 : 404);
    return;
  }
  let body: { flows: EvaluateItem[]; only?: OnlyPolicy };
  try {
    body = JSON.parse(raw) as typeof body;
  } catch {
    send(res, 400, { error: 'body is not valid JSON', field: 'body' });
    return;
  }
  const call: EvaluatorCall = { flows: body.flows, only: body.only, authorization: req.headers.authorization };
  double.calls.push(call);
  if (double.requireToken !== undefined && req.headers.authorization !== `Bearer ${double.requireToken}`) {
    send(res, 401, { error: 'a valid bearer token is required', field: 'Authorization' });
    return;
  }
  const only = body.only;
  if (only !== undefined && double.generations.has(only.uid) && double.generations.get(only.uid) !== only.generation) {
    const current = double.generations.get(only.uid) ?? null;
    send(res, 409, { error: `policy ${only.uid} is at generation ${current ?? 'none'}`, field: 'only.generation', current });
    return;
  }
  double.requests.push(body.flows);
  const results = body.flows.map((f) => {
    if (double.rawAnswer !== undefined) return double.rawAnswer(f);
    const e = judge(f, only);
    const evaluation = only ? { ...e, verdicts: e.verdicts.filter((v) => v.ref.uid === only.uid) } : e;
    return { id: f.id, ...answerOf(evaluation, f.direction, only === undefined) };
  });
  send(res, 200, { results });
}

export async function startEvaluatorDouble(judge: Judge): Promise<EvaluatorDouble> {
  const double = { requests: [], calls: [], down: false, delayMs: 0, inFlight: 0, maxInFlight: 0, generations: new Map() } as unknown as EvaluatorDouble;
  const held: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    double.inFlight += 1;
    double.maxInFlight = Math.max(double.maxInFlight, double.inFlight);
    res.on('close', () => {
      double.inFlight -= 1;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (): void => {
        answer(double, judge, req, Buffer.concat(chunks).toString('utf8'), res);
      };
      const later = (): void => {
        if (double.delayMs > 0) setTimeout(reply, double.delayMs);
        else reply();
      };
      if (double.holdUntilInFlight === undefined) {
        later();
        return;
      }
      held.push(later);
      if (double.inFlight < double.holdUntilInFlight) return;
      double.holdUntilInFlight = undefined;
      for (const release of held.splice(0)) release();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(double, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  });
}
