/**
 * The schema types of the CRD generator: the structural schema itself is a contract
 * (contracts/structural-schema.ts), shared with the status the evaluator writes; the printer
 * columns are the CRDs' own.
 */

export type { Schema, ValidationRule } from '../../contracts/structural-schema.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date';
  jsonPath: string;
  description: string;
  /** 0 (the default) shows in `kubectl get`; 1 only with `-o wide`. */
  priority?: number;
}
