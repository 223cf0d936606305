/**
 * Validates real requests and responses against the broker's OpenAPI document with ajv (JSON
 * Schema 2020-12, the dialect of OpenAPI 3.1, plus ajv-formats for date-time).
 *
 * Stricter than the document on purpose: every object schema that lists `properties` is closed
 * (additionalProperties: false) here, so a field the API sends but the document does not describe
 * fails the test instead of passing unnoticed.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { OPENAPI } from '../api/openapi.js';

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = addFormatsModule.default;

const SCHEMAS_ID = 'kguardian-broker-schemas';

/** A deep copy with `#/components/schemas/X` refs pointing at the registered copy, and objects closed. */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$ref' && typeof v === 'string') out[k] = v.replace('#/components/schemas/', `${SCHEMAS_ID}#/$defs/`);
    else if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v as object).map(([name, s]) => [name, strict(s)]));
    else out[k] = strict(v);
  }
  // Objects are closed; a branch that only constrains some properties of its object (oneOf, if) is not one.
  if ('properties' in out && out.type === 'object' && !('additionalProperties' in out)) out.additionalProperties = false;
  return out;
}

type Content = Record<string, { schema?: unknown }>;
interface Operation {
  requestBody?: { content: Content };
  responses: Record<string, { content?: Content }>;
}

export interface Checked {
  ok: boolean;
  /** What is wrong, for the assertion message. */
  problems: string[];
}

export class OpenApiCheck {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
  private readonly cache = new Map<string, ValidateFunction>();

  constructor() {
    addFormats(this.ajv, ['date-time', 'ipv4', 'ipv6']);
    this.ajv.addSchema({ $id: SCHEMAS_ID, $defs: strict(OPENAPI.components.schemas) as Record<string, object> });
  }

  /** The operation for a Hono-style path (`/v1/replays/:id`) and method. */
  operation(method: string, path: string): Operation | undefined {
    const docPath = path.replace(/:(\w+)/g, '{$1}');
    const ops = (OPENAPI.paths as Record<string, Record<string, Operation> | undefined>)[docPath];
    return ops?.[method.toLowerCase()];
  }

  private validator(key: string, schema: unknown): ValidateFunction {
    let v = this.cache.get(key);
    if (v === undefined) {
      v = this.ajv.compile(strict(schema) as object);
      this.cache.set(key, v);
    }
    return v;
  }

  private run(key: string, schema: unknown, value: unknown): Checked {
    const v = this.validator(key, schema);
    if (v(value)) return { ok: true, problems: [] };
    return { ok: false, problems: (v.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`) };
  }

  /** A value against one of the document's component schemas (an event's `data`, say). */
  component(name: string, value: unknown): Checked {
    return this.run(`component ${name}`, { $ref: `#/components/schemas/${name}` }, value);
  }

  /** A request body against the operation's JSON request schema. */
  request(method: string, path: string, body: unknown): Checked {
    const schema = this.operation(method, path)?.requestBody?.content['application/json']?.schema;
    if (schema === undefined) return { ok: false, problems: [`${method} ${path}: no JSON request body documented`] };
    return this.run(`req ${method} ${path}`, schema, body);
  }

  /**
   * A response's status and body: the status must be documented for the operation and, when the
   * body is JSON (or an event's data), it must match the schema documented for that status and
   * media type. A documented status without content is only right for a body that is not JSON.
   */
  response(method: string, path: string, status: number, mediaType: string, body: unknown): Checked {
    const op = this.operation(method, path);
    if (op === undefined) return { ok: false, problems: [`${method} ${path}: not in the document`] };
    const documented = op.responses[String(status)];
    if (documented === undefined) return { ok: false, problems: [`${method} ${path}: status ${status} not documented`] };
    const schema = documented.content?.[mediaType]?.schema;
    if (schema === undefined) {
      return mediaType === 'application/json' ? { ok: false, problems: [`${method} ${path} ${status}: JSON body but no ${mediaType} schema`] } : { ok: true, problems: [] };
    }
    return this.run(`res ${method} ${path} ${status} ${mediaType}`, schema, body);
  }
}
