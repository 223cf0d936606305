/**
 * The slice of OpenAPI v3 that a structural CustomResourceDefinition schema uses, with the
 * Kubernetes extensions (x-kubernetes-*) this project relies on. Only what the CRD generator
 * writes is typed, so a misspelt keyword fails the typecheck instead of reaching the cluster.
 * FromSchema turns a schema written `as const` into the TypeScript type of the objects it admits,
 * so the code that writes or reads those objects is typed by the schema the API server enforces.
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
  required?: readonly string[];
  items?: Schema;
  enum?: readonly string[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  anyOf?: readonly Schema[];
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: readonly string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: readonly ValidationRule[];
}

/**
 * The type of the values `S` admits, for a schema written `as const` (objects, maps, arrays, enums,
 * scalars, and anyOf such as int-or-string).
 */
export type FromSchema<S> = S extends { readonly enum: readonly (infer E)[] }
  ? E
  : S extends { readonly type: 'object'; readonly properties: infer P }
    ? Flatten<ObjectOf<P, S extends { readonly required: readonly (infer R)[] } ? R : never>>
    : S extends { readonly type: 'object'; readonly additionalProperties: infer V }
      ? Record<string, FromSchema<V>>
      : S extends { readonly anyOf: readonly (infer A)[] }
        ? FromSchema<A>
        : S extends { readonly type: 'array'; readonly items: infer I }
          ? FromSchema<I>[]
          : S extends { readonly type: 'string' }
            ? string
            : S extends { readonly type: 'integer' }
              ? number
              : S extends { readonly type: 'boolean' }
                ? boolean
                : unknown;

type ObjectOf<P, R> = { -readonly [K in keyof P as K extends R ? K : never]: FromSchema<P[K]> } & {
  -readonly [K in keyof P as K extends R ? never : K]?: FromSchema<P[K]>;
};

type Flatten<T> = { [K in keyof T]: T[K] };
