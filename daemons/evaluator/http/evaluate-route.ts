/**
 * `POST /evaluate`: the broker sends a batch of recorded flows and gets, per flow, what it keeps
 * of the judgement (contracts/evaluate-answer.ts: the audit verdicts of the observed direction, the pods at each
 * end, the enforced NetworkPolicies' prediction, unless those changed after the observation). Callers need `create` on
 * `evaluations.kguardian.dev`. 503 until the model's informers have synced (verdicts against a
 * half-listed cluster would be wrong), 409 when `only` names a generation the model does not
 * hold, 400 naming the field of a malformed item.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { badRequest, HttpError } from '../../../runtime/http-error.js';
import { requireAccess, type AuthEnv } from '../../../runtime/auth/require-access.js';
import { errorResponse } from '../../../runtime/error-handler.js';
import type { EvaluatedFlow, EvaluateItem } from '../cluster/model-types.js';
import type { EvaluatorDeps } from './deps.js';
import { EVALUATE_LIMITS } from '../../../contracts/evaluate-limits.js';
import { parseEvaluateRequest } from '../../../contracts/evaluate-request.js';
import { resultsBody } from './evaluation-json.js';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('body', 'body is not valid JSON');
  }
}

/**
 * Conversations judged, by result, and those whose enforcement prediction was withheld: each item
 * weighs its count (results are in the items' order).
 */
function tally(items: readonly EvaluateItem[], results: readonly EvaluatedFlow[]): { allowed: number; denied: number; withheld: number } {
  let allowed = 0;
  let denied = 0;
  let withheld = 0;
  results.forEach((r, i) => {
    const n = items[i]?.count ?? 0;
    if (r.evaluation.effective.allowed) allowed += n;
    else denied += n;
    if (r.withheld === true) withheld += n;
  });
  return { allowed, denied, withheld };
}

/**
 * Hono's bodyLimit, without its cost on the usual request: it reads `c.req.raw.body`, which
 * makes @hono/node-server build a whole web Request (ReadableStream, AbortSignal) around the
 * Node request even when a Content-Length settles the matter, and the body is then read
 * through that stream instead of straight from the socket. The same decision here, on the
 * header alone when there is one; a body without Content-Length (chunked) goes through
 * bodyLimit, which counts the bytes as they come.
 */
function limitBody(maxSize: number): MiddlewareHandler<AuthEnv> {
  const tooLarge = (c: Parameters<MiddlewareHandler<AuthEnv>>[0]): Response => errorResponse(c, new HttpError(413, `body larger than ${maxSize} bytes`, 'body'));
  const streamed = bodyLimit({ maxSize, onError: tooLarge });
  return async function limit(c, next) {
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number.parseInt(length || '0', 10) > maxSize) return tooLarge(c);
      await next();
      return;
    }
    return streamed(c, next);
  };
}

export function evaluateRoutes(deps: EvaluatorDeps): Hono<AuthEnv> {
  const { model, metrics, auth } = deps;
  const app = new Hono<AuthEnv>();
  app.post(
    '/evaluate',
    requireAccess(auth, () => ({ verb: 'create', resource: 'evaluations' })),
    limitBody(EVALUATE_LIMITS.maxBodyBytes),
    async function evaluate(c) {
      const started = performance.now();
      if (!model.synced()) {
        metrics.requests.inc({ result: 'not_synced' });
        return errorResponse(c, new HttpError(503, 'the cluster model has not synced yet, retry later'));
      }
      const type = c.req.header('Content-Type') ?? '';
      if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'Content-Type must be application/json', 'Content-Type');
      const parsed = parseEvaluateRequest(parseJson(await c.req.text()));
      if (!parsed.ok) {
        metrics.requests.inc({ result: 'bad_request' });
        throw parsed.error;
      }
      const { flows, only } = parsed.value;
      const outcome = model.evaluate(flows, only);
      if (outcome.status === 'not-synced') {
        metrics.requests.inc({ result: 'not_synced' });
        return errorResponse(c, new HttpError(503, 'the cluster model has not synced yet, retry later'));
      }
      if (outcome.status === 'generation-mismatch') {
        metrics.requests.inc({ result: 'conflict' });
        const held = outcome.current === null ? 'does not hold that policy' : `holds generation ${outcome.current}`;
        const message = `only: policy ${outcome.uid} at generation ${only?.generation ?? '?'} is not what the model holds: it ${held}`;
        return errorResponse(c, new HttpError(409, message, 'only.generation', { current: outcome.current }));
      }
      const body = resultsBody(outcome.results, only === undefined);
      const t = tally(flows, outcome.results);
      metrics.requests.inc({ result: 'ok' });
      metrics.batchSize.observe(flows.length);
      if (t.allowed > 0) metrics.evaluations.inc({ result: 'allowed' }, t.allowed);
      if (t.denied > 0) metrics.evaluations.inc({ result: 'would_deny' }, t.denied);
      if (t.withheld > 0) metrics.withheld.inc(t.withheld);
      metrics.latency.observe((performance.now() - started) / 1000);
      return c.body(body, 200, { 'Content-Type': 'application/json' });
    },
  );
  return app;
}
