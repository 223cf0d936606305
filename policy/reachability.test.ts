// Tests of the reachability harness itself: the model, the truth-table helpers, the probe and
// the mismatch report. The upstream scenarios that use it live in upstream-netpol*.test.ts.
import { describe, expect, it } from 'vitest';
import {
  ALL_SERVICES,
  buildModel,
  MODEL_PODS,
  mismatchReport,
  modelPorts,
  podIp,
  probe,
  runScenario,
  Scenario,
  TruthTable,
} from './testing/reachability.js';

describe('the 3x3 model', () => {
  it('has nine pods, each with a distinct IPv4 and IPv6 address', () => {
    expect(MODEL_PODS).toEqual(['x/a', 'x/b', 'x/c', 'y/a', 'y/b', 'y/c', 'z/a', 'z/b', 'z/c']);
    const v4 = new Set(MODEL_PODS.map((p) => podIp(p, 4)));
    const v6 = new Set(MODEL_PODS.map((p) => podIp(p, 6)));
    expect(v4.size).toBe(9);
    expect(v6.size).toBe(9);
    expect(podIp('x/a', 4)).toBe('10.244.1.11');
    expect(podIp('z/c', 6)).toBe('fd00:244:3::13');
  });

  it('serves 80 and 81 on TCP, UDP and SCTP under named ports', () => {
    expect(modelPorts().map((p) => `${p.name}=${p.protocol}/${p.containerPort}`)).toEqual([
      'serve-80-tcp=TCP/80',
      'serve-80-udp=UDP/80',
      'serve-80-sctp=SCTP/80',
      'serve-81-tcp=TCP/81',
      'serve-81-udp=UDP/81',
      'serve-81-sctp=SCTP/81',
    ]);
    expect(ALL_SERVICES).toEqual(['TCP/80', 'TCP/81', 'UDP/80', 'UDP/81', 'SCTP/80', 'SCTP/81']);
  });

  it('labels pods pod=<letter> and namespaces ns=<name> plus the name label', () => {
    const state = buildModel();
    expect(Object.fromEntries(state.pod('y', 'b')!.labels)).toEqual({ pod: 'b' });
    expect(Object.fromEntries(state.namespace('z')!.labels)).toEqual({ ns: 'z', 'kubernetes.io/metadata.name': 'z' });
    expect(state.podByIp('fd00:244:2::12')?.key).toBe('y/b');
  });
});

describe('TruthTable', () => {
  const count = (t: TruthTable, allowed: boolean): number =>
    MODEL_PODS.flatMap((f) => MODEL_PODS.map((to) => t.allowed(f, to))).filter((v) => v === allowed).length;

  it('starts all allowed or all denied', () => {
    expect(count(TruthTable.allowAll(), true)).toBe(81);
    expect(count(TruthTable.denyAll(), false)).toBe(81);
  });

  it('reads patterns as every pod, a namespace, a pod, or one pod name in every namespace', () => {
    expect(count(TruthTable.allowAll().denyTo('*'), false)).toBe(81);
    expect(count(TruthTable.allowAll().denyTo('x'), false)).toBe(27);
    expect(count(TruthTable.allowAll().denyTo('x/a'), false)).toBe(9);
    expect(count(TruthTable.allowAll().denyFrom('*/b'), false)).toBe(27);
    expect(count(TruthTable.allowAll().deny('y', 'x/a'), false)).toBe(3);
  });

  it('applies setters in order, so exceptions follow the broad rule', () => {
    const t = TruthTable.allowAll().denyTo('x/a').allow('x/b', 'x/a');
    expect(t.allowed('x/b', 'x/a')).toBe(true);
    expect(t.allowed('x/c', 'x/a')).toBe(false);
    expect(t.allowed('x/a', 'x/b')).toBe(true);
  });

  it('allows loopback on request', () => {
    const t = TruthTable.denyAll().allowLoopback();
    expect(count(t, true)).toBe(9);
    expect(t.allowed('y/c', 'y/c')).toBe(true);
  });

  it('clones independently', () => {
    const a = TruthTable.allowAll();
    const b = a.clone().denyTo('z');
    expect(a.allowed('x/a', 'z/a')).toBe(true);
    expect(b.allowed('x/a', 'z/a')).toBe(false);
  });
});

describe('probe and mismatch report', () => {
  it('finds every pair allowed, in every view, when there are no policies', () => {
    const state = buildModel();
    for (const view of ['names', 'ipv4', 'ipv6', 'names+ipv4', 'names+ipv6', 'src:names+ipv6', 'dst:names+ipv6'] as const) {
      const result = probe(state, 'UDP/81', view);
      expect(TruthTable.allowAll().diff(result.effective)).toEqual([]);
      expect(TruthTable.allowAll().diff(result.enforced)).toEqual([]);
    }
  });

  it('says nothing when tables agree', () => {
    expect(mismatchReport('t', TruthTable.allowAll(), TruthTable.allowAll())).toBeUndefined();
  });

  it('names the differing pairs, with the engine reasons, and brackets them in the tables', () => {
    const s = new Scenario('NetworkPolicy').apply('x/deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
    const got = probe(s.state, 'TCP/80');
    const report = mismatchReport('demo', TruthTable.allowAll().denyTo('x').allow('y/a', 'x/a').allowLoopback(), got.effective, got.evaluations);
    expect(report).toBeDefined();
    const lines = report!.split('\n');
    expect(lines[0]).toBe('demo: 1 of 81 pairs differ');
    expect(lines[1]).toBe('  y/a -> x/a: expected allow, got deny');
    expect(lines[2]).toContain('NetworkPolicy x/deny-ingress selects x/a and has no ingress rules');
    expect(report).toContain('expected');
    expect(report).toContain('[X]');
  });
});

describe('Scenario', () => {
  it('throws a readable report naming the run, the service and the view', () => {
    expect(() => {
      runScenario((s) => {
        s.apply('x/deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
        s.check('TCP/80', TruthTable.allowAll());
      });
    }).toThrow(/NetworkPolicy run, check #1, TCP\/80 via names, effective: 24 of 81 pairs differ/);
  });

  it('checks that audit policies never show up in the enforced table', () => {
    const s = new Scenario('AuditNetworkPolicy').apply('x/deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
    // A wrong enforced expectation is caught, not ignored.
    expect(() => s.check('TCP/80', TruthTable.allowAll().denyTo('x'), { enforced: TruthTable.allowAll().denyTo('x') })).toThrow(
      /AuditNetworkPolicy run, check #1, TCP\/80 via names, enforced: 24 of 81 pairs differ/,
    );
    s.check('TCP/80', TruthTable.allowAll().denyTo('x'));
  });

  it('asks for the enforced table when enforced and audit policies are mixed', () => {
    const s = new Scenario('AuditNetworkPolicy')
      .apply('x/deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })
      .applyEnforced('y/deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
    expect(() => s.check('TCP/80', TruthTable.allowAll().denyTo('x').denyTo('y'))).toThrow(/pass the expected enforced table/);
    s.check('TCP/80', TruthTable.allowAll().denyTo('x').denyTo('y'), { enforced: TruthTable.allowAll().denyTo('y') });
  });

  it('refuses a policy that does not compile instead of judging half of it', () => {
    const s = new Scenario('NetworkPolicy');
    expect(() => s.apply('x/bad', { podSelector: {}, ingress: [{ ports: [{ port: 0 }] }] })).toThrow(/does not compile/);
  });
});
