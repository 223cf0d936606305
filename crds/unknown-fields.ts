/**
 * Which fields of a policy object the API server would refuse as unknown ("strict decoding
 * error: unknown field"), derived from the same schemas the CRDs are generated from, so a file
 * that `audit test` accepts is one `kubectl apply` accepts field for field. The three kinds:
 *
 * | kind                      | schema                                                      |
 * |---------------------------|-------------------------------------------------------------|
 * | AuditNetworkPolicy        | the CRD's openAPIV3Schema                                   |
 * | AuditClusterNetworkPolicy | the CRD's openAPIV3Schema                                   |
 * | NetworkPolicy             | networking.k8s.io/v1: the same spec (the CRDs copy it field for field), no status |
 *
 * In each, metadata is checked against metav1.ObjectMeta, as the server does for every kind.
 * A schema node with `properties` closes its object; `additionalProperties` is a map whose
 * values follow that schema; an object schema with neither (the open parts) accepts anything.
 */
import { auditClusterNetworkPolicySchema, auditNetworkPolicySchema } from './schema/crd.js';
import { networkPolicyProperties } from './schema/networkpolicy.js';
import { objectMeta } from './schema/object-meta.js';
import type { Schema } from './schema/types.js';

/**
 * A path into the object: property names and list indexes. Rendered for people with the shared
 * contracts/zod-issue.ts fieldPath (`spec.ingress[0].from`), as kubectl prints it.
 */
export type FieldPath = readonly (string | number)[];

export interface UnknownField {
  /** The unknown field itself: its parent's path, then its name. */
  path: FieldPath;
  /** The fields its parent does have, sorted (for "did you mean"). */
  known: string[];
}

function withObjectMeta(schema: Schema): Schema {
  return { ...schema, properties: { ...schema.properties, metadata: objectMeta } };
}

function networkPolicySchema(): Schema {
  return {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: objectMeta,
      spec: { type: 'object', properties: networkPolicyProperties() },
    },
  };
}

const SCHEMAS: Readonly<Record<string, () => Schema>> = {
  NetworkPolicy: networkPolicySchema,
  AuditNetworkPolicy: () => withObjectMeta(auditNetworkPolicySchema()),
  AuditClusterNetworkPolicy: () => withObjectMeta(auditClusterNetworkPolicySchema()),
};

const cache = new Map<string, Schema>();

/** The schema of a policy kind, or undefined for any other kind. */
export function policySchema(kind: string): Schema | undefined {
  const make = SCHEMAS[kind];
  if (make === undefined) return undefined;
  let schema = cache.get(kind);
  if (schema === undefined) cache.set(kind, (schema = make()));
  return schema;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walk(schema: Schema, value: unknown, path: FieldPath, out: UnknownField[]): void {
  if (Array.isArray(value)) {
    const items = schema.items;
    if (items)
      value.forEach((item: unknown, i) => {
        walk(items, item, [...path, i], out);
      });
    return;
  }
  if (!isRecord(value)) return; // a type mismatch is for the value checks, not this one
  const { properties, additionalProperties } = schema;
  for (const [key, child] of Object.entries(value)) {
    const sub = properties ? properties[key] : additionalProperties;
    if (sub) walk(sub, child, [...path, key], out);
    else if (properties) out.push({ path: [...path, key], known: Object.keys(properties).sort() });
  }
}

/** Every unknown field of `object` in document order; [] for a kind without a schema. */
export function unknownFields(kind: string, object: unknown): UnknownField[] {
  const schema = policySchema(kind);
  if (schema === undefined) return [];
  const out: UnknownField[] = [];
  walk(schema, object, [], out);
  return out;
}
