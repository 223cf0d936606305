import { describe, expect, expectTypeOf, it } from 'vitest';
import type { FlowEndpoint, NamedEnd } from '../policy/types.js';
import type { EvaluateItem } from './evaluate.js';
import type { StatusEndpoint } from './audit-policy-status.js';
import type { StoredFlow, StoredVerdict } from './broker-api.js';
import type { EnforcementRow } from './enforcement.js';
import type { FlowObservation } from './flow-batch.js';
import { flowEndSchema, judgedEndWireSchema, type FlowEnd, type FlowEndName, type JudgedEndWire } from './flow-end.js';
import { endLabel, endName, podOf, type AnyEndName } from './flow-end-label.js';
import type { Offender } from './summary.js';

describe('one flow-end shape', () => {
  it('every part holds a FlowEnd or a projection of it', () => {
    expectTypeOf<FlowObservation['src']>().toEqualTypeOf<FlowEnd>();
    expectTypeOf<StoredFlow['src']>().toEqualTypeOf<FlowEnd>();
    expectTypeOf<StoredVerdict['src']>().toEqualTypeOf<JudgedEndWire>();
    expectTypeOf<Offender['src']>().toEqualTypeOf<JudgedEndWire>();
    expectTypeOf<EnforcementRow['src']>().toEqualTypeOf<JudgedEndWire>();
    // The CRD's schema is a structural schema of its own; its type must still be a partial end name.
    expectTypeOf<Required<StatusEndpoint>>().toEqualTypeOf<Required<AnyEndName>>();
    expectTypeOf<FlowEndName>().toExtend<FlowEndpoint>();
    expectTypeOf<Omit<NamedEnd, 'kind'>>().toEqualTypeOf<AnyEndName>();
    // The evaluate request names ends; which of them no pod owned is the evaluator's to decide.
    expectTypeOf<EvaluateItem['flow']['src']>().toEqualTypeOf<NamedEnd>();
    // A FlowEnd's kind is the agent's guess at the owner: endName() makes it an engine end.
    expectTypeOf<FlowEnd>().not.toExtend<FlowEndpoint>();
  });
});

describe('flowEndSchema', () => {
  it.each([
    { title: 'a pod end', end: { ip: '10.0.0.1', port: 80, kind: 'pod', namespace: 'prod', pod: 'web-1', podUid: 'a-1' }, ok: true },
    { title: 'an end no pod owns leaves the names out', end: { ip: '203.0.113.7', port: 0, kind: 'external' }, ok: true },
    // Missing is absent: '' is not a namespace, so an agent cannot send the other spelling.
    { title: "'' for a missing namespace", end: { ip: '10.0.0.1', port: 80, kind: 'unknown', namespace: '' }, ok: false },
    { title: "'' for a missing pod", end: { ip: '10.0.0.1', port: 80, kind: 'unknown', pod: '' }, ok: false },
    { title: 'an IPv6 zone id', end: { ip: 'fe80::1%eth0', port: 80, kind: 'host' }, ok: false },
    { title: 'an unknown kind', end: { ip: '10.0.0.1', port: 80, kind: 'vm' }, ok: false },
  ])('$title: accepted $ok', ({ end, ok }) => {
    expect(flowEndSchema.safeParse(end).success).toBe(ok);
  });
});

describe('judgedEndWireSchema', () => {
  it.each([
    { title: "the broker's spelling, '' for no pod", wire: { namespace: '', pod: '', ip: '10.0.0.9' }, want: { namespace: '', pod: '', ip: '10.0.0.9' } },
    { title: 'names left out read as the same', wire: { ip: '10.0.0.9' }, want: { namespace: '', pod: '', ip: '10.0.0.9' } },
    { title: 'a pod', wire: { namespace: 'prod', pod: 'web-1', ip: '10.0.0.1' }, want: { namespace: 'prod', pod: 'web-1', ip: '10.0.0.1' } },
  ])('$title', ({ wire, want }) => {
    expect(judgedEndWireSchema.parse(wire)).toEqual(want);
  });
});

describe('reading an end whatever its spelling', () => {
  it.each([
    { title: 'a FlowEnd with a pod', end: { ip: '10.0.0.1', namespace: 'prod', pod: 'web-1' }, pod: { namespace: 'prod', pod: 'web-1' }, label: 'prod/web-1' },
    { title: 'a FlowEnd without one', end: { ip: '10.0.0.9' }, pod: undefined, label: '10.0.0.9' },
    { title: "the wire's '' for no pod", end: { ip: '10.0.0.9', namespace: '', pod: '' }, pod: undefined, label: '10.0.0.9' },
    { title: 'a pod without its namespace names no pod', end: { ip: '10.0.0.9', namespace: '', pod: 'web-1' }, pod: undefined, label: '10.0.0.9' },
    { title: 'a status end named by its pod alone', end: { namespace: 'prod', pod: 'web-1' }, pod: { namespace: 'prod', pod: 'web-1' }, label: 'prod/web-1' },
    { title: 'an end with nothing', end: {}, pod: undefined, label: '?' },
    { title: "an end with nothing but ''", end: { ip: '', namespace: '', pod: '' }, pod: undefined, label: '?' },
  ])('$title', ({ end, pod, label }: { end: AnyEndName; pod: unknown; label: string }) => {
    expect(podOf(end)).toEqual(pod);
    expect(endLabel(end)).toBe(label);
  });

  it.each([
    { title: 'a pod end keeps its names', end: { ip: '10.0.0.1', namespace: 'prod', pod: 'web-1' }, want: { ip: '10.0.0.1', namespace: 'prod', pod: 'web-1' } },
    { title: "the wire's '' becomes absent", end: { ip: '10.0.0.9', namespace: '', pod: '' }, want: { ip: '10.0.0.9' } },
    { title: 'the rest of a FlowEnd is left out', end: { ip: '10.0.0.9', port: 80, kind: 'external' as const }, want: { ip: '10.0.0.9' } },
  ])('endName: $title', ({ end, want }) => {
    const name = endName(end);
    expect(name).toStrictEqual(want);
    expect('namespace' in name).toBe(want.namespace !== undefined);
  });
});
