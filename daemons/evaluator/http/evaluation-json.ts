/**
 * The response body of `POST /evaluate`, built as a string. Encoding is most of the cost of a
 * request: real traffic repeats, the model hands back the same (memoised, read-only) evaluation
 * object for a repeated flow, so each evaluation's JSON is encoded once and reused while that
 * object lives.
 */
import type { FlowEvaluation } from '../cluster/engine.js';
import type { EvaluatedFlow } from '../cluster/model-types.js';

const encoded = new WeakMap<FlowEvaluation, string>();

export function evaluationJson(e: FlowEvaluation): string {
  let json = encoded.get(e);
  if (json === undefined) {
    json = JSON.stringify(e);
    encoded.set(e, json);
  }
  return json;
}

/** `{"results":[{"id":…,"evaluation":…},…]}` */
export function resultsJson(results: readonly EvaluatedFlow[]): string {
  const parts = new Array<string>(results.length);
  for (let i = 0; i < results.length; i++) {
    const r = results[i] as EvaluatedFlow;
    parts[i] = `{"id":${r.id},"evaluation":${evaluationJson(r.evaluation)}}`;
  }
  return `{"results":[${parts.join(',')}]}`;
}
