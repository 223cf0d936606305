/**
 * The slice of OpenAPI v3 that a structural CustomResourceDefinition schema uses, with the
 * Kubernetes extensions (x-kubernetes-*) this project relies on. Only what the generator
 * writes is typed, so a misspelt keyword fails the typecheck instead of reaching the cluster.
 */

export interface ValidationRule {
  /** A CEL expression over `self`; true means valid. */
  rule: string;
  /** A full sentence shown to the user. */
  message: string;
  /** Where the error is reported, relative to the schema the rule sits on (".endPort"). */
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired';
}

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean';
  format?: 'int32' | 'int64' | 'date-time';
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema;
  required?: string[];
  items?: Schema;
  enum?: string[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  anyOf?: Schema[];
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: ValidationRule[];
}

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date';
  jsonPath: string;
  description: string;
  /** 0 (the default) shows in `kubectl get`; 1 only with `-o wide`. */
  priority?: number;
}
