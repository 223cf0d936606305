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
 * | synced, and the window evaluated 0 flows       | refuse: nothing was tested (--allow-untested) |
 * | --min-quiet D and the broker could not be read | refuse: no evidence for D (next step named) |
 * | --min-quiet D and broker: WouldDeny within D   | refuse: not quiet for D          |
 * | --min-quiet D and an offender seen within D    | refuse (cannot happen with a consistent status) |
 * | --min-quiet D and broker: no traffic within D  | warn: quiet because nothing was seen |
 * | Degraded=True                                  | warn: counts may be low          |
 * | lastEvaluated older than the window            | warn: evaluation may be stale    |
 *
 * --min-quiet is judged from the broker's verdict history (quiet-history.ts, read by the caller):
 * the status only speaks for the evaluator's rolling window (1h by default), the broker keeps
 * days. --force turns every refusal into a warning except "nothing was tested": a policy no flow
 * reached is not shown safe by any count, so promoting it takes its own flag, --allow-untested.
 */
import type { AuditPolicy } from '../kube/objects.js';
import { formatDuration, parseDuration } from '../../runtime/duration.js';

/** The flag that lets a refusal through. */
export type GateOverride = '--force' | '--allow-untested';

/** What the broker's history says about a policy's quiet window (quiet-history.ts reads it). */
export type QuietEvidence = { wouldDeny: number; observations: number } | { error: string };

export interface GateOptions {
  force: boolean;
  /** Promote even though the window evaluated no flow at all. */
  allowUntested?: boolean | undefined;
  /** --min-quiet, as typed and in milliseconds. */
  minQuiet?: { text: string; ms: number } | undefined;
  /** With minQuiet: what the broker said about the period (undefined: not asked, e.g. describe). */
  history?: QuietEvidence | undefined;
  now: Date;
}

export interface GateDecision {
  /** True when the policy may be promoted (possibly because of --force). */
  allowed: boolean;
  /** Reasons it is not safe; when overridden they remain, as warnings. */
  problems: string[];
  /** The flags that let these problems through (whether or not they were given), in a stable order. */
  overrides: GateOverride[];
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
  const quiet = opts.minQuiet.text;
  out.push(...historyProblems(quiet, opts.history));
  const since = opts.now.getTime() - opts.minQuiet.ms;
  const recent = (evaluation.topOffenders ?? []).filter((o) => Date.parse(o.lastSeen) >= since);
  if (recent.length > 0 && denied === 0) out.push(`${recent.length} offender${recent.length === 1 ? ' was' : 's were'} seen within the last ${quiet}`);
  return out;
}

function historyProblems(quiet: string, history: QuietEvidence | undefined): string[] {
  if (history === undefined) return [`--min-quiet ${quiet}: the broker's verdict history was not read`];
  if ('error' in history) {
    return [
      `--min-quiet ${quiet} is judged from the broker's verdict history, which could not be read: ${history.error}. ` +
        'Make the broker reachable (--broker-url, or --broker-namespace/--broker-service and --token), or leave out --min-quiet to judge by the evaluation window alone',
    ];
  }
  const n = history.wouldDeny;
  return n > 0 ? [`${n} flow observation${n === 1 ? '' : 's'} in the last ${quiet} would be denied (the broker's verdict history, any generation of the policy)`] : [];
}

function warningsFor(p: AuditPolicy, opts: GateOptions): string[] {
  return [...quietUntestedWarnings(opts), ...degradedWarnings(p), ...staleWarnings(p, opts.now)];
}

/** --min-quiet held only because the broker saw no traffic at all. */
function quietUntestedWarnings(opts: GateOptions): string[] {
  const h = opts.minQuiet ? opts.history : undefined;
  if (!h || 'error' in h || h.observations !== 0) return [];
  return [`the broker recorded no traffic for it in the last ${opts.minQuiet?.text ?? ''}: quiet, but nothing was tested`];
}

function degradedWarnings(p: AuditPolicy): string[] {
  const degraded = p.status?.conditions?.find((c) => c.type === 'Degraded' && c.status === 'True');
  return degraded ? [`Degraded (${degraded.reason}): ${degraded.message} The counts may be low.`] : [];
}

/** An evaluation last written longer ago than its own window. */
function staleWarnings(p: AuditPolicy, now: Date): string[] {
  const evaluation = p.status?.evaluation;
  const window = evaluation?.window;
  const windowMs = window ? parseDuration(window) : undefined;
  const last = evaluation?.lastEvaluated ? Date.parse(evaluation.lastEvaluated) : NaN;
  if (windowMs === undefined || !Number.isFinite(last) || now.getTime() - last <= windowMs) return [];
  return [`the evaluation is stale: last evaluated ${formatDuration(now.getTime() - last)} ago, longer than its ${window ?? ''} window`];
}

/** A synced evaluation that counted no flow: quiet only because nothing reached the policy. */
function untestedProblems(p: AuditPolicy): string[] {
  const evaluation = p.status?.evaluation;
  if (!evaluation || syncProblems(p).length > 0) return [];
  const evaluated = evaluation.flowsEvaluated ?? (evaluation.flowsAllowed ?? 0) + (evaluation.flowsWouldDeny ?? 0);
  if (evaluated > 0) return [];
  return [`0 flows evaluated in the last ${evaluation.window ?? 'window'}: nothing was tested (no traffic reached the pods it selects)`];
}

export function safetyGate(p: AuditPolicy, opts: GateOptions): GateDecision {
  const forceable = [...syncProblems(p), ...quietProblems(p, opts)];
  const untested = untestedProblems(p);
  const overrides: GateOverride[] = [...(forceable.length > 0 ? ['--force' as const] : []), ...(untested.length > 0 ? ['--allow-untested' as const] : [])];
  const allowed = (forceable.length === 0 || opts.force) && (untested.length === 0 || opts.allowUntested === true);
  return { allowed, problems: [...forceable, ...untested], overrides, warnings: warningsFor(p, opts) };
}
