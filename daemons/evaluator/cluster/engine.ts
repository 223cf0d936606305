/**
 * The parts of the policy engine the evaluator uses, in one place: its public surface
 * (policy/index.ts) plus the object converters it shares with `audit test --cluster`.
 */
export * from '../../../policy/index.js';
export { namespaceFromObject, podFromObject } from '../../../policy/kube-objects.js';
