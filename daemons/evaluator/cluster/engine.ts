/**
 * The parts of the policy engine the evaluator uses, in one place: its public surface
 * (policy/index.ts), object converters included.
 */
export * from '../../../policy/index.js';
