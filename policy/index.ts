/**
 * The policy engine's public surface: the one module the evaluator daemon, the broker and
 * `kubectl kguardian audit test` all use for NetworkPolicy semantics.
 */
export * from './types.js';
export { ClusterState } from './cluster-state.js';
export { compilePolicy, type CompileResult } from './compile.js';
export type { CompiledPolicy, CompiledRule, TargetNamespaces } from './compiled.js';
export { evaluateFlow, evaluateResolved, type EvaluateOptions, type ResolvedEnds } from './evaluate.js';
export type { ResolvedEndpoint } from './model.js';
export { formatProblem, type PolicyProblem, type Severity } from './errors.js';
export { canonicalIp, parseAddress } from './address.js';
export { describeSelector } from './selector.js';
export { describePeerList } from './peer.js';
export { describePortList } from './port.js';
export { GenerationalMemo } from './generational-memo.js';
export { namespaceFromObject, podFromObject, type Converted } from './kube-objects.js';
