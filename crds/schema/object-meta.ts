/**
 * The fields of metav1.ObjectMeta, as the API server decodes `metadata` of every kind: a CRD
 * declares metadata only as `type: object`, yet the server still refuses an unknown field there
 * under strict field validation. Only the field names matter here (for the unknown-field check);
 * values are the API server's business. Nested structures the server owns (managedFields) are
 * left open.
 */
import type { Schema } from './types.js';

const stringMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };

const ownerReference: Schema = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    name: { type: 'string' },
    uid: { type: 'string' },
    controller: { type: 'boolean' },
    blockOwnerDeletion: { type: 'boolean' },
  },
};

export const objectMeta: Schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    generateName: { type: 'string' },
    namespace: { type: 'string' },
    selfLink: { type: 'string' },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    generation: { type: 'integer' },
    creationTimestamp: { type: 'string' },
    deletionTimestamp: { type: 'string' },
    deletionGracePeriodSeconds: { type: 'integer' },
    labels: stringMap,
    annotations: stringMap,
    ownerReferences: { type: 'array', items: ownerReference },
    finalizers: { type: 'array', items: { type: 'string' } },
    // Entries hold fieldsV1, a free-form tree: open.
    managedFields: { type: 'array', items: { type: 'object' } },
  },
};
