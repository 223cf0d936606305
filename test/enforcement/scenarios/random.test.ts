// The random scenarios: reproducible from their seed, valid NetworkPolicies by the engine's validation,
// and covering what the corpus promises (every selector operator, ipBlock with except, named ports,
// endPort, several policies on one pod's namespace, ingress and egress).
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../policy/compile.js';
import type { NetworkPolicySpec } from '../../../policy/types.js';
import { makeCopy } from '../universe.js';
import { randomScenarios, rng } from './random.js';
import type { CopyContext, PolicyDef } from './types.js';

const copy = makeCopy(3);
copy.pods.forEach((p, i) => { p.ip = `10.254.128.${10 + i}`; });
const ctx: CopyContext = {
  ns: (m) => copy.namespaces[m],
  ip: (model) => copy.pods.find((p) => p.model === model)?.ip ?? '',
};
const sets: PolicyDef[][] = randomScenarios(7, 200).map((s) => s.policies(ctx));
const specs: NetworkPolicySpec[] = sets.flat().map((p) => p.spec);
const json = JSON.stringify(specs);

describe('randomScenarios', () => {
  it('gives the same policies for the same seed, others for another', () => {
    expect(randomScenarios(7, 200).map((s) => s.policies(ctx))).toEqual(sets);
    expect(randomScenarios(8, 200).map((s) => s.policies(ctx))).not.toEqual(sets);
    expect(new Set(randomScenarios(7, 200).map((s) => s.id)).size).toBe(200);
  });

  it('draws evenly enough from rng', () => {
    const r = rng(1);
    const buckets = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) buckets[Math.floor(r() * 4)]! += 1;
    for (const b of buckets) expect(b).toBeGreaterThan(800);
  });

  it('writes only policies the API accepts', () => {
    for (const [i, set] of sets.entries()) {
      for (const p of set) {
        const { problems } = compilePolicy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
          metadata: { name: `r${i}-${p.name}`, namespace: copy.namespaces[p.namespace] }, spec: p.spec });
        expect(problems.filter((x) => x.severity === 'error'), JSON.stringify(p.spec)).toEqual([]);
      }
    }
  });

  it.each([
    { feature: 'matchExpressions In', pattern: '"operator":"In"' },
    { feature: 'matchExpressions NotIn', pattern: '"operator":"NotIn"' },
    { feature: 'matchExpressions Exists', pattern: '"operator":"Exists"' },
    { feature: 'matchExpressions DoesNotExist', pattern: '"operator":"DoesNotExist"' },
    { feature: 'namespace by name', pattern: '"kubernetes.io/metadata.name"' },
    { feature: 'ipBlock with except', pattern: '"except":[' },
    { feature: 'named port', pattern: '"port":"serve-' },
    { feature: 'endPort', pattern: '"endPort":' },
    { feature: 'UDP', pattern: '"protocol":"UDP"' },
    { feature: 'egress rules', pattern: '"egress":[{' },
    { feature: 'ingress rules', pattern: '"ingress":[{' },
    { feature: 'deny-all (empty rules)', pattern: '"ingress":[]' },
  ])('covers $feature', ({ pattern }) => {
    expect(json).toContain(pattern);
  });

  it('puts several policies on one namespace in many sets', () => {
    const stacked = sets.filter((set) => new Set(set.map((p) => p.namespace)).size < set.length);
    expect(stacked.length).toBeGreaterThan(40);
  });
});
