/**
 * metav1.LabelSelector, with upstream's validation: keys are qualified names, values are
 * label values, the operator is one of four, and values are required by In/NotIn and
 * forbidden with Exists/DoesNotExist. Upstream checks these in Go; here OpenAPI and CEL do.
 */
import { QUALIFIED_NAME_PREFIX_PATTERN } from '../../contracts/kube-names.js';
import type { Schema } from './types.js';

/** Upstream's label value: at most 63 characters, alphanumeric at both ends. */
export const LABEL_VALUE_PATTERN = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';

/**
 * Upstream's label key (a qualified name): an optional DNS subdomain prefix and "/", then a
 * name of at most 63 characters, alphanumeric at both ends. A pattern costs nothing in
 * CEL's budget, which a per-key CEL rule nested this deep would exceed.
 */
export const LABEL_KEY_PATTERN = `^${QUALIFIED_NAME_PREFIX_PATTERN}[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`;

const labelValue = { type: 'string', maxLength: 63, pattern: LABEL_VALUE_PATTERN } as const satisfies Schema;

const requirement = {
  type: 'object',
  description: 'A selector that contains values, a key, and an operator that relates the key and values.',
  required: ['key', 'operator'],
  properties: {
    key: {
      type: 'string',
      maxLength: 317,
      pattern: LABEL_KEY_PATTERN,
      description: 'key is the label key that the selector applies to.',
    },
    operator: {
      type: 'string',
      enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'],
      description: "operator represents a key's relationship to a set of values.",
    },
    values: {
      type: 'array',
      maxItems: 64,
      'x-kubernetes-list-type': 'atomic',
      items: labelValue,
      description:
        'values is an array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty.',
    },
  },
  'x-kubernetes-validations': [
    {
      rule: "!(self.operator in ['In', 'NotIn']) || (has(self.values) && size(self.values) > 0)",
      message: 'values must list at least one value when operator is In or NotIn.',
      fieldPath: '.values',
      reason: 'FieldValueRequired',
    },
    {
      rule: "!(self.operator in ['Exists', 'DoesNotExist']) || !has(self.values) || size(self.values) == 0",
      message: 'values must be empty when operator is Exists or DoesNotExist.',
      fieldPath: '.values',
      reason: 'FieldValueForbidden',
    },
  ],
} as const satisfies Schema;

const selectorProperties = {
  matchExpressions: {
    type: 'array',
    maxItems: 32,
    'x-kubernetes-list-type': 'atomic',
    items: requirement,
    description: 'matchExpressions is a list of label selector requirements. The requirements are ANDed.',
  },
  matchLabels: {
    type: 'object',
    maxProperties: 64,
    additionalProperties: labelValue,
    description:
      'matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element of matchExpressions, whose key field is "key", the operator is "In", and the values array contains only "value". The requirements are ANDed.',
    'x-kubernetes-validations': [
      {
        rule: 'self.all(k, !format.qualifiedName().validate(k).hasValue())',
        message:
          'Every matchLabels key must be a valid label key: an optional DNS subdomain prefix and "/", then a name of at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit.',
      },
    ],
  },
} as const satisfies Record<string, Schema>;

/** A LabelSelector schema, typed as written so FromSchema reads the selector type from it. */
export interface LabelSelectorSchema {
  type: 'object';
  description: string;
  'x-kubernetes-map-type': 'atomic';
  properties: typeof selectorProperties;
}

/** A LabelSelector schema; `description` says what it selects. */
export function labelSelector(description: string): LabelSelectorSchema {
  return { type: 'object', description, 'x-kubernetes-map-type': 'atomic', properties: selectorProperties };
}
