/**
 * Is this audit policy safe to enforce? One function decides it for `audit promote`,
 * `audit promote-cluster` and `describe`, from the status the evaluator wrote:
 *
 * | status                                         | decision                         |
 * |------------------------------------------------|----------------------------------|
 * | no status.observedGeneration                   | refuse: not evaluated yet        |
 * | observedGeneration < metadata.generation       | refuse: counts are for an older spec |
 * | no status.evaluation                           | refuse: no counts                |
 * | evaluation.flowsWouldDeny > 0                  | refuse: flows would be denied    |
 * | --min-quiet D and evaluation.window < D        | refuse: window too short to vouch for D |
 * | --min-quiet D and an offender seen within D    | refuse (cannot happen with a consistent status) |
 * | Degraded=True                                  | warn: counts may be low          |
 * | lastEvaluated older than the window            | warn: evaluation may be stale    |
 *
 * --min-quiet is judged from the status alone: the evaluation's rolling window is the only
 * span the counts speak for, so a 24h quiet period needs a window of at least 24h with zero
 * would-deny flows. --force turns every refusal into a warning.
 */
import type { AuditPolicy } from '../kube/objects.js';
import { formatDuration, parseDuration } from './duration.js';

export interface GateOptions {
  force: boolean;
  /** --min-quiet, as typed and in milliseconds. */
  minQuiet?: { text: string; ms: number } | undefined;
  now: Date;
}

export interface GateDecision {
  /** True when the policy may be promoted (possibly because of --force). */
  allowed: boolean;
  /** Reasons it is not safe; with --force they remain, as warnings. */
  problems: string[];
  /** Worth knowing, never blocking. */
  warnings: string[];
}

function syncProblems(p: AuditPolicy): string[] {
  const observed = p.status?.observedGeneration;
  const generation = p.metadata.generation ?? 0;
  if (observed === undefined) return ['the evaluator has not evaluated it yet (no status.observedGeneration)'];
  if (observed < generation) {
    return [`status.observedGeneration ${observed} lags metadata.generation ${generation}: the counts are for an older spec; wait for the evaluator to catch up`];
  }
  return [];
}

function quietProblems(p: AuditPolicy, opts: GateOptions): string[] {
  const evaluation = p.status?.evaluation;
  if (!evaluation) return p.status?.observedGeneration === undefined ? [] : ['status.evaluation is empty: no flows have been counted yet'];
  const out: string[] = [];
  const denied = evaluation.flowsWouldDeny ?? 0;
  const window = evaluation.window ?? 'unknown window';
  if (denied > 0) out.push(`${denied} flow${denied === 1 ? '' : 's'} in the last ${window} would be denied`);
  if (opts.minQuiet === undefined) return out;
  const windowMs = evaluation.window === undefined ? undefined : parseDuration(evaluation.window);
  const quiet = opts.minQuiet.text;
  if (windowMs === undefined || windowMs < opts.minQuiet.ms) {
    out.push(`--min-quiet ${quiet} needs an evaluation window of at least ${quiet}, but the evaluator's window is ${window}`);
  }
  const since = opts.now.getTime() - opts.minQuiet.ms;
  const recent = (evaluation.topOffenders ?? []).filter((o) => Date.parse(o.lastSeen) >= since);
  if (recent.length > 0 && denied === 0) out.push(`${recent.length} offender${recent.length === 1 ? ' was' : 's were'} seen within the last ${quiet}`);
  return out;
}

function warningsFor(p: AuditPolicy, now: Date): string[] {
  const out: string[] = [];
  const degraded = p.status?.conditions?.find((c) => c.type === 'Degraded' && c.status === 'True');
  if (degraded) out.push(`Degraded (${degraded.reason}): ${degraded.message} The counts may be low.`);
  const evaluation = p.status?.evaluation;
  const windowMs = evaluation?.window ? parseDuration(evaluation.window) : undefined;
  const last = evaluation?.lastEvaluated ? Date.parse(evaluation.lastEvaluated) : NaN;
  if (windowMs !== undefined && Number.isFinite(last) && now.getTime() - last > windowMs) {
    out.push(`the evaluation is stale: last evaluated ${formatDuration(now.getTime() - last)} ago, longer than its ${evaluation?.window ?? ''} window`);
  }
  return out;
}

export function safetyGate(p: AuditPolicy, opts: GateOptions): GateDecision {
  const problems = [...syncProblems(p), ...quietProblems(p, opts)];
  return { allowed: problems.length === 0 || opts.force, problems, warnings: warningsFor(p, opts.now) };
}
