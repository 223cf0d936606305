/**
 * The fast validator of the evaluator's answer (contracts/evaluate.ts), run by the broker on every
 * answer before anything of it is stored: ids, the pods of each end, each verdict's policy
 * reference, verdict and reason, and the enforcement prediction. Written by hand rather than with
 * zod because replays validate a million results in a few seconds: plain loops are an order of
 * magnitude cheaper here. Members it does not know are ignored, so a newer evaluator can answer an
 * older broker.
 */
import type { EvaluateResult } from './evaluate.js';

const KINDS = new Set(['NetworkPolicy', 'AuditNetworkPolicy', 'AuditClusterNetworkPolicy']);
const AUDIT_KINDS = new Set(['AuditNetworkPolicy', 'AuditClusterNetworkPolicy']);
const VERDICTS = new Set(['Allow', 'WouldDeny']);
const PREDICTIONS = new Set(['Allow', 'Deny']);

/** Longest reason sentence taken. */
export const MAX_REASON_LENGTH = 4096;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isName = (v: unknown, min: number): boolean => typeof v === 'string' && v.length >= min && v.length <= 253;

function refProblem(r: unknown, kinds: ReadonlySet<string>): string | undefined {
  if (!isObj(r)) return 'ref must be an object';
  if (!kinds.has(r.kind as string)) return 'ref.kind is not a policy kind';
  if (!isName(r.namespace, 0) || !isName(r.name, 1)) return 'ref.namespace and ref.name must be names';
  if (r.uid !== undefined && (typeof r.uid !== 'string' || r.uid.length > 64)) return 'ref.uid must be a string';
  if (r.generation !== undefined && (!Number.isSafeInteger(r.generation) || (r.generation as number) < 0)) return 'ref.generation must be an integer';
  return undefined;
}

function podProblem(p: unknown, end: string): string | undefined {
  if (p === null) return undefined;
  return isObj(p) && isName(p.namespace, 1) && isName(p.pod, 1) ? undefined : `${end} must be null or {namespace, pod}`;
}

function verdictProblem(v: unknown): string | undefined {
  if (!isObj(v)) return 'a verdict must be an object';
  if (!VERDICTS.has(v.verdict as string)) return 'verdict.verdict must be Allow or WouldDeny';
  if (typeof v.reason !== 'string' || v.reason.length > MAX_REASON_LENGTH) return 'verdict.reason must be a string';
  return refProblem(v.ref, AUDIT_KINDS);
}

function enforcementProblem(e: unknown): string | undefined {
  if (e === undefined) return undefined;
  if (!isObj(e) || !PREDICTIONS.has(e.predicted as string)) return 'enforcement.predicted must be Allow or Deny';
  if (!Array.isArray(e.policies)) return 'enforcement.policies must be an array';
  for (const p of e.policies) {
    const problem = refProblem(p, KINDS);
    if (problem !== undefined) return `enforcement.policies: ${problem}`;
  }
  return undefined;
}

function resultProblem(r: unknown): string | undefined {
  if (!isObj(r) || !Number.isSafeInteger(r.id)) return 'result.id must be an integer';
  const ends = podProblem(r.src, 'src') ?? podProblem(r.dst, 'dst');
  if (ends !== undefined) return ends;
  if (!Array.isArray(r.verdicts)) return 'result.verdicts must be an array';
  for (const v of r.verdicts) {
    const p = verdictProblem(v);
    if (p !== undefined) return p;
  }
  return enforcementProblem(r.enforcement);
}

/** The answers by item id, or a sentence saying what is wrong with the body. */
export function parseEvaluateResponse(body: unknown): { ok: true; results: Map<number, EvaluateResult> } | { ok: false; problem: string } {
  if (!isObj(body) || !Array.isArray(body.results)) return { ok: false, problem: 'results must be an array' };
  const results = new Map<number, EvaluateResult>();
  for (let i = 0; i < body.results.length; i++) {
    const r: unknown = body.results[i];
    const p = resultProblem(r);
    if (p !== undefined) return { ok: false, problem: `results[${i}]: ${p}` };
    const ok = r as EvaluateResult;
    results.set(ok.id, ok);
  }
  return { ok: true, results };
}
