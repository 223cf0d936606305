/**
 * Validation of the evaluator's answer, `{"results":[{"id", "evaluation": FlowEvaluation}]}`,
 * checking only what the broker reads (ids, and per verdict its policy reference, direction,
 * verdict and reason); the rest of a FlowEvaluation passes through untouched. Written by hand
 * rather than with zod because replays validate a million results in a few seconds: plain loops
 * are an order of magnitude cheaper here. evaluator-response.test.ts holds its cases.
 */
import type { FlowEvaluation } from '../../policy/types.js';

const KINDS = new Set(['NetworkPolicy', 'AuditNetworkPolicy', 'AuditClusterNetworkPolicy']);
const DIRECTIONS = new Set(['Ingress', 'Egress']);
const VERDICTS = new Set(['Allow', 'WouldDeny']);

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isName = (v: unknown, min: number): boolean => typeof v === 'string' && v.length >= min && v.length <= 253;

function refProblem(r: unknown): string | undefined {
  if (!isObj(r)) return 'ref must be an object';
  if (!KINDS.has(r.kind as string)) return 'ref.kind is not a policy kind';
  if (!isName(r.namespace, 0) || !isName(r.name, 1)) return 'ref.namespace and ref.name must be names';
  if (r.uid !== undefined && (typeof r.uid !== 'string' || r.uid.length > 64)) return 'ref.uid must be a string';
  if (r.generation !== undefined && (!Number.isSafeInteger(r.generation) || (r.generation as number) < 0)) return 'ref.generation must be an integer';
  return undefined;
}

function verdictProblem(v: unknown): string | undefined {
  if (!isObj(v)) return 'a verdict must be an object';
  if (!DIRECTIONS.has(v.direction as string)) return 'verdict.direction must be Ingress or Egress';
  if (!VERDICTS.has(v.verdict as string)) return 'verdict.verdict must be Allow or WouldDeny';
  if (typeof v.reason !== 'string' || v.reason.length > 4096) return 'verdict.reason must be a string';
  return refProblem(v.ref);
}

function resultProblem(r: unknown): string | undefined {
  if (!isObj(r) || !Number.isSafeInteger(r.id)) return 'result.id must be an integer';
  const e = r.evaluation;
  if (!isObj(e) || !Array.isArray(e.verdicts)) return 'result.evaluation.verdicts must be an array';
  for (const v of e.verdicts) {
    const p = verdictProblem(v);
    if (p !== undefined) return p;
  }
  return undefined;
}

/** The evaluations by flow id, or a sentence saying what is wrong with the answer. */
export function parseEvaluateResponse(body: unknown): { ok: true; results: Map<number, FlowEvaluation> } | { ok: false; problem: string } {
  if (!isObj(body) || !Array.isArray(body.results)) return { ok: false, problem: 'results must be an array' };
  const results = new Map<number, FlowEvaluation>();
  for (let i = 0; i < body.results.length; i++) {
    const r: unknown = body.results[i];
    const p = resultProblem(r);
    if (p !== undefined) return { ok: false, problem: `results[${i}]: ${p}` };
    const ok = r as { id: number; evaluation: FlowEvaluation };
    results.set(ok.id, ok.evaluation);
  }
  return { ok: true, results };
}
