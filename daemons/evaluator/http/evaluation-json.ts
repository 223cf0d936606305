/**
 * The response body of `POST /evaluate`, built as bytes. Encoding is most of the cost of a
 * request:
 * - real traffic repeats, the model hands back the same (memoised, read-only) evaluation object
 *   for a repeated flow, so each evaluation is encoded to UTF-8 once and its bytes reused while
 *   that object lives; a response is then one buffer the size of the answer, filled by copying;
 * - a new evaluation is encoded by a writer that knows its shape (Node 20's `JSON.stringify`
 *   walks ~1 KB of small objects in about 4 µs, several times what judging the flow costs), with
 *   each policy's `ref` encoded once. It writes exactly what `JSON.stringify` writes, key order
 *   included (evaluation-json.test.ts compares the two over every kind of evaluation).
 */
import type { EffectiveVerdict, FlowEvaluation, PodRef, PolicyVerdict } from '../cluster/engine.js';
import type { EvaluatedFlow } from '../cluster/model-types.js';

/** What JSON.stringify escapes in a string: quote, backslash, control characters, and (lone) surrogates. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be found
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify(s)`; most strings need no escaping, and calling into JSON.stringify costs more than checking. */
function str(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** Policy refs are shared by every verdict of one compiled policy and never change. */
const refs = new WeakMap<PolicyVerdict['ref'], string>();

function refJson(ref: PolicyVerdict['ref']): string {
  let json = refs.get(ref);
  if (json === undefined) {
    json = JSON.stringify(ref);
    refs.set(ref, json);
  }
  return json;
}

function podJson(p: PodRef | null): string {
  return p === null ? 'null' : `{"namespace":${str(p.namespace)},"pod":${str(p.pod)}}`;
}

function verdictJson(v: PolicyVerdict): string {
  const head = `{"policy":${str(v.policy)},"kind":${str(v.kind)},"direction":${str(v.direction)},"verdict":${str(v.verdict)},"reason":${str(v.reason)},"ref":${refJson(v.ref)}`;
  return v.rule === undefined ? `${head}}` : `${head},"rule":${JSON.stringify(v.rule)}}`;
}

function effectiveJson(e: EffectiveVerdict): string {
  return `{"ingress":${str(e.ingress)},"egress":${str(e.egress)},"allowed":${e.allowed ? 'true' : 'false'}}`;
}

function listJson<T>(items: readonly T[], one: (item: T) => string): string {
  if (items.length === 0) return '[]';
  let out = `[${one(items[0] as T)}`;
  for (let i = 1; i < items.length; i++) out += `,${one(items[i] as T)}`;
  return `${out}]`;
}

/**
 * Each member of FlowEvaluation, in the order the engine creates them (so the order
 * `JSON.stringify` writes them in). Typed so a member added to FlowEvaluation fails to compile
 * here until it is encoded.
 */
const MEMBERS: { [K in keyof Required<FlowEvaluation>]: (e: FlowEvaluation) => string } = {
  src: (e) => podJson(e.src),
  dst: (e) => podJson(e.dst),
  verdicts: (e) => listJson(e.verdicts, verdictJson),
  effective: (e) => effectiveJson(e.effective),
  enforced: (e) => effectiveJson(e.enforced),
  notes: (e) => listJson(e.notes, str),
};

const WRITERS = Object.entries(MEMBERS).map(([name, write], i) => ({ prefix: `${i === 0 ? '{' : ','}${JSON.stringify(name)}:`, write }));

/** `JSON.stringify(e)`, written by hand. */
export function encodeEvaluation(e: FlowEvaluation): string {
  let out = '';
  for (const w of WRITERS) out += w.prefix + w.write(e);
  return `${out}}`;
}

interface Encoded {
  json: string;
  /** UTF-8 bytes of `json`; equal to its length when it is all ASCII. */
  size: number;
}

const encoded = new WeakMap<FlowEvaluation, Encoded>();

/** The evaluation's JSON and its UTF-8 size, encoded once per evaluation object. */
function encodedOf(e: FlowEvaluation): Encoded {
  let hit = encoded.get(e);
  if (hit === undefined) {
    const json = encodeEvaluation(e);
    hit = { json, size: Buffer.byteLength(json) };
    encoded.set(e, hit);
  }
  return hit;
}

export function evaluationJson(e: FlowEvaluation): string {
  return encodedOf(e).json;
}

const HEAD = '{"results":[';
const ID = '{"id":';
const EVALUATION = ',"evaluation":';
const ZERO = 0x30;
const COMMA = 0x2c;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

/** Decimal digits of a non-negative safe integer (ids are validated as such). */
function digits(n: number): number {
  let d = 1;
  for (let v = n; v >= 10; v = Math.floor(v / 10)) d++;
  return d;
}

function writeAscii(out: Buffer, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  return at + s.length;
}

/** `{"results":[{"id":…,"evaluation":…},…]}` as bytes, one buffer filled in place. */
export function resultsBody(results: readonly EvaluatedFlow[]): Buffer<ArrayBuffer> {
  const n = results.length;
  const parts = new Array<Encoded>(n);
  // Every item: {"id": DIGITS ,"evaluation": JSON } plus a comma between items; then ]}.
  let size = HEAD.length + 2 + Math.max(0, n - 1);
  for (let i = 0; i < n; i++) {
    const r = results[i] as EvaluatedFlow;
    if (!Number.isSafeInteger(r.id) || r.id < 0) return Buffer.from(resultsJsonOf(results));
    const part = encodedOf(r.evaluation);
    parts[i] = part;
    size += ID.length + digits(r.id) + EVALUATION.length + part.size + 1;
  }
  const out = Buffer.allocUnsafe(size);
  let at = writeAscii(out, 0, HEAD);
  for (let i = 0; i < n; i++) {
    if (i > 0) out[at++] = COMMA;
    at = writeAscii(out, at, ID);
    const id = (results[i] as EvaluatedFlow).id;
    const d = digits(id);
    for (let k = d - 1, v = id; k >= 0; k--, v = Math.floor(v / 10)) out[at + k] = ZERO + (v % 10);
    at = writeAscii(out, at + d, EVALUATION);
    const part = parts[i] as Encoded;
    // All ASCII (the usual case): latin1 writes the same bytes as UTF-8, without transcoding.
    at += part.size === part.json.length ? out.write(part.json, at, 'latin1') : out.write(part.json, at, 'utf8');
    out[at++] = CLOSE_OBJECT;
  }
  out[at] = CLOSE_ARRAY;
  out[at + 1] = CLOSE_OBJECT;
  return out;
}

function resultsJsonOf(results: readonly EvaluatedFlow[]): string {
  return `{"results":[${results.map((r) => `{"id":${JSON.stringify(r.id)},"evaluation":${encodeEvaluation(r.evaluation)}}`).join(',')}]}`;
}

/** The same body as a string (tests, and the encoding benchmark's reference). */
export function resultsJson(results: readonly EvaluatedFlow[]): string {
  return resultsBody(results).toString('utf8');
}
