/**
 * The response body of `POST /evaluate`, built as bytes. Encoding is most of the cost of a
 * request:
 * - real traffic repeats, the model hands back the same (memoised, read-only) judgement for a
 *   repeated flow, so each answer (contracts/evaluate-answer.ts) is encoded once per observed
 *   direction and kept in the judgement's answer slots while the model memoises it (a field,
 *   not a WeakMap: a weak table entry per never-seen flow costs the collector more than the
 *   lookup saves); a response is then one buffer the size of the answer, filled by copying;
 * - a new answer is encoded by a writer that knows its shape (Node 20's `JSON.stringify` walks
 *   small objects at several times what judging the flow costs), with each policy's `ref` encoded
 *   once, straight from the evaluation without building the answer object. It writes exactly what
 *   `JSON.stringify` writes of `{id, ...answerOf(...)}`, key order included
 *   (evaluation-json.test.ts compares the two over every kind of evaluation).
 */
import type { Direction, FlowEvaluation, PodRef, PolicyRef, PolicyVerdict } from '../cluster/engine.js';
import type { EvaluatedFlow } from '../cluster/model-types.js';
import { enforcementOf, isAnswered } from '../../../contracts/evaluate-answer.js';

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
  return `{"ref":${refJson(v.ref)},"verdict":${str(v.verdict)},"reason":${str(v.reason)}}`;
}

function listJson<T>(items: readonly T[], one: (item: T) => string): string {
  if (items.length === 0) return '[]';
  let out = `[${one(items[0] as T)}`;
  for (let i = 1; i < items.length; i++) out += `,${one(items[i] as T)}`;
  return `${out}]`;
}

/** The answered verdicts, filtered and written in one pass (no array of the kept ones). */
function verdictsJson(e: FlowEvaluation, direction: Direction): string {
  let out = '';
  for (const v of e.verdicts) if (isAnswered(v, direction)) out += out === '' ? verdictJson(v) : `,${verdictJson(v)}`;
  return `[${out}]`;
}

function enforcementJson(e: FlowEvaluation, direction: Direction): string {
  const p = enforcementOf(e, direction);
  return p === undefined ? '' : `,"enforcement":{"predicted":${str(p.predicted)},"policies":${listJson<PolicyRef>(p.policies, refJson)}}`;
}

/**
 * `JSON.stringify(answerOf(e, direction, withEnforcement))` less its opening brace: what follows
 * the id in a result (`,"src":…}`).
 */
export function encodeAnswer(e: FlowEvaluation, direction: Direction, withEnforcement: boolean): string {
  const enforcement = withEnforcement ? enforcementJson(e, direction) : '';
  return `,"src":${podJson(e.src)},"dst":${podJson(e.dst)},"verdicts":${verdictsJson(e, direction)}${enforcement}}`;
}

interface Encoded {
  json: string;
  /** UTF-8 bytes of `json`; equal to its length when it is all ASCII. */
  size: number;
}

function slot(direction: Direction, withEnforcement: boolean): number {
  return (direction === 'Egress' ? 0 : 1) + (withEnforcement ? 0 : 2);
}

function encode(e: FlowEvaluation, direction: Direction, withEnforcement: boolean): Encoded {
  const json = encodeAnswer(e, direction, withEnforcement);
  return { json, size: Buffer.byteLength(json) };
}

/**
 * The answer's JSON and its UTF-8 size, kept in the judgement's answer slots ([Egress, Ingress]
 * with the enforcement prediction, then without: replays) while the model memoises it.
 */
function encodedOf(r: EvaluatedFlow, withEnforcement: boolean): Encoded {
  const slots = r.answers;
  if (slots === undefined) return encode(r.evaluation, r.direction, withEnforcement);
  const at = slot(r.direction, withEnforcement);
  let hit = slots[at] as Encoded | undefined;
  if (hit === undefined) {
    hit = encode(r.evaluation, r.direction, withEnforcement);
    slots[at] = hit;
  }
  return hit;
}

const HEAD = '{"results":[';
const ID = '{"id":';
const ZERO = 0x30;
const COMMA = 0x2c;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

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

/**
 * `{"results":[{"id":…,"src":…},…]}` as bytes, one buffer filled in place. Live evaluations
 * answer with the enforcement prediction, replays (`withEnforcement` false) without, and so does a
 * live result whose prediction is `withheld` (the answer a replay would give, kept in the same slot).
 */
export function resultsBody(results: readonly EvaluatedFlow[], withEnforcement = true): Buffer<ArrayBuffer> {
  const n = results.length;
  const parts = new Array<Encoded>(n);
  // Every item: {"id": DIGITS ANSWER (its closing brace included), a comma between items; then ]}.
  let size = HEAD.length + 2 + Math.max(0, n - 1);
  for (let i = 0; i < n; i++) {
    const r = results[i] as EvaluatedFlow;
    if (!Number.isSafeInteger(r.id) || r.id < 0) return Buffer.from(resultsJsonOf(results, withEnforcement));
    const part = encodedOf(r, withEnforcement && r.withheld !== true);
    parts[i] = part;
    size += ID.length + digits(r.id) + part.size;
  }
  const out = Buffer.allocUnsafe(size);
  let at = writeAscii(out, 0, HEAD);
  for (let i = 0; i < n; i++) {
    if (i > 0) out[at++] = COMMA;
    at = writeAscii(out, at, ID);
    const id = (results[i] as EvaluatedFlow).id;
    const d = digits(id);
    for (let k = d - 1, v = id; k >= 0; k--, v = Math.floor(v / 10)) out[at + k] = ZERO + (v % 10);
    at += d;
    const part = parts[i] as Encoded;
    // All ASCII (the usual case): latin1 writes the same bytes as UTF-8, without transcoding.
    at += part.size === part.json.length ? out.write(part.json, at, 'latin1') : out.write(part.json, at, 'utf8');
  }
  out[at] = CLOSE_ARRAY;
  out[at + 1] = CLOSE_OBJECT;
  return out;
}

function resultsJsonOf(results: readonly EvaluatedFlow[], withEnforcement: boolean): string {
  return `{"results":[${results.map((r) => `{"id":${JSON.stringify(r.id)}${encodeAnswer(r.evaluation, r.direction, withEnforcement && r.withheld !== true)}`).join(',')}]}`;
}

/** The same body as a string (tests, and the encoding benchmark's reference). */
export function resultsJson(results: readonly EvaluatedFlow[], withEnforcement = true): string {
  return resultsBody(results, withEnforcement).toString('utf8');
}
