/**
 * `POST /v1/flows` bodies at the broker's limits (contracts/flow-batch-limits.ts), for the large
 * body benchmark:
 *  - agent-like: the most observations a batch may hold, each as the agent writes it (both ends
 *    stamped with namespace, pod and pod UID), pod names lengthened so the body is exactly the
 *    byte cap; every observation a flow of its own, so each one is a row to write;
 *  - costliest: as many observations, each carrying an unknown member (ignored by the broker, as
 *    a newer agent's would be) with every object and array the container limit leaves and the
 *    rest of the bytes in small numbers: the most values a valid body can make JSON.parse build;
 *  - oversized: a valid body one byte past the cap (a trailing newline).
 * Each body is a Buffer of its exact size; all are valid batches but the oversized one.
 */
import { FLOW_BATCH_LIMITS } from '../../contracts/flow-batch-limits.js';

export type BodyKind = 'agent-like' | 'costliest';

const CAP = FLOW_BATCH_LIMITS.maxBodyBytes;
const FLOWS = FLOW_BATCH_LIMITS.maxFlows;
/** Containers one observation may add beyond itself, src and dst, and stay under the limit. */
const EXTRA_CONTAINERS = Math.floor((FLOW_BATCH_LIMITS.maxContainers - 2) / FLOWS) - 3;

function uid(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `0b9c6f1e-7d2a-4c1b-9a8e-${hex}`;
}

function ipOf(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

interface Batch {
  seq: number;
  node: string;
  at: string;
}

/** Observation `i` of batch `b`, its source pod name lengthened by `pad` characters, `tail` its last members. */
function observation({ seq, node, at }: Batch, i: number, pad: number, tail: string): string {
  const src = `web-7d9f8b6c5-${i.toString(36)}${'x'.repeat(pad)}`;
  const dst = `payments-api-5c6d7e8f9-${(i % 977).toString(36)}`;
  return (
    `{"src":{"ip":"${ipOf(seq * FLOWS + i)}","port":${40_000 + (i % 20_000)},"kind":"pod","namespace":"frontend","pod":"${src}","podUid":"${uid(i)}"},` +
    `"dst":{"ip":"10.244.7.${i % 250}","port":${1 + (i % 60_000)},"kind":"pod","namespace":"payments","pod":"${dst}","podUid":"${uid(1_000_000 + (i % 977))}"},` +
    `"protocol":"TCP","direction":"Egress","state":"established","firstSeen":"${at}","lastSeen":"${at}","count":${1 + (i % 7)},"node":"${node}"${tail}}`
  );
}

/** The unknown member of a costliest observation: EXTRA_CONTAINERS containers, `numbers` zeros in the innermost. */
function costlyTail(numbers: number): string {
  const objects = Array<string>(EXTRA_CONTAINERS - 2).fill('{}').join(',');
  const zeros = Array<string>(numbers).fill('0').join(',');
  return `,"ext":[${objects},[${zeros}]]`;
}

function batch({ seq, node }: Batch, items: string[]): string {
  return `{"batchId":"bench-large-${seq}-${node}","node":"${node}","flows":[${items.join(',')}]}`;
}

/** A valid batch of exactly the byte cap: agent-like pads pod names, costliest the unknown member's numbers. */
export function maxValidBody(kind: BodyKind, seq: number, node: string, at: string): Buffer {
  const b: Batch = { seq, node, at };
  const tailOf = (numbers: number): string => (kind === 'costliest' ? costlyTail(numbers) : '');
  const build = (pad: (i: number) => number, numbers: (i: number) => number): string =>
    batch(b, Array.from({ length: FLOWS }, (_, i) => observation(b, i, pad(i), tailOf(numbers(i)))));
  const base = Buffer.byteLength(build(() => 0, () => 1));
  const room = CAP - base;
  if (room < 0) throw new Error(`a ${kind} body of ${FLOWS} observations is ${base} bytes before padding, past the cap ${CAP}`);
  let text: string;
  if (kind === 'agent-like') {
    const each = Math.floor(room / FLOWS);
    const extra = room - each * FLOWS;
    text = build((i) => each + (i < extra ? 1 : 0), () => 1);
  } else {
    // Each further number is two bytes (",0"); an odd byte lengthens the first pod name.
    const odd = room % 2;
    const pairs = (room - odd) / 2;
    const each = Math.floor(pairs / FLOWS);
    const extra = pairs - each * FLOWS;
    text = build((i) => (i === 0 ? odd : 0), (i) => 1 + each + (i < extra ? 1 : 0));
  }
  const body = Buffer.from(text);
  if (body.byteLength !== CAP) throw new Error(`${kind} body is ${body.byteLength} bytes, not the cap ${CAP}`);
  return body;
}

/** A valid batch one byte past the cap: the agent-like maximal body and a trailing newline. */
export function oversizedBody(seq: number, node: string, at: string): Buffer {
  return Buffer.concat([maxValidBody('agent-like', seq, node, at), Buffer.from('\n')]);
}
