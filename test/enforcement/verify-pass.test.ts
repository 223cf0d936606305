// VerifyPass without a cluster: the rows a broker would answer for one round, tied to their probes and checked
// against what the probes' tries and the policies call for.
import { describe, expect, it } from 'vitest';
import type { EnforcementReport, EnforcementRow, Outcome } from '../../contracts/enforcement.js';
import type { Direction } from '../../policy/types.js';
import type { Disagreement } from './judge.js';
import type { PolicyDef, ScenarioDef } from './scenarios/types.js';
import type { Broker } from './testing/broker.js';
import type { Evaluators } from './testing/evaluators.js';
import { makeCopy, probesOf } from './universe.js';
import { VerifyPass, type VerifyPlacement } from './verify-pass.js';

const copy = makeCopy(3);
copy.pods.forEach((p, i) => { p.ip = `10.254.128.${10 + i}`; });
/** x/a admits nothing. */
const POLICIES: PolicyDef[] = [{ namespace: 'x', name: 'p0', spec: { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress'] } }];
const scenario: ScenarioDef = { id: 'r009', source: 'random', title: 'x/a admits nothing', policies: () => POLICIES };
const placed: VerifyPlacement[] = [{ scenario, copy, round: 0, policies: POLICIES }];
const DENIED = 'x/b->x/a:80/TCP';

function row(over: { policy?: string; direction?: Direction; src?: string; dst?: string; outcome?: Outcome }): EnforcementRow {
  const end = (model: string): EnforcementRow['src'] => {
    const p = copy.pods.find((x) => x.model === model);
    return p ? { namespace: p.namespace, pod: p.pod, ip: p.ip ?? '' } : { namespace: '', pod: '', ip: model };
  };
  return {
    policy: { uid: 'u', namespace: 'e3-x', name: over.policy ?? 'r009-p0', generation: 1 }, direction: over.direction ?? 'Ingress',
    src: end(over.src ?? 'x/b'), dst: end(over.dst ?? 'x/a'), port: 80, protocol: 'TCP', predicted: 'Deny',
    observed: { established: 1, attempt: 0, refused: 0, seen: 0 }, outcome: over.outcome ?? 'NotEnforced', explanation: '', firstSeen: '', lastSeen: '',
  };
}

/** A VerifyPass over one round whose probes all connected but the listed ones (failed 4 times), reading `rows`. */
async function pass(rows: EnforcementRow[], failed: string[] = []): Promise<VerifyPass> {
  const broker = { enforcement: (namespace: string): Promise<EnforcementReport> =>
    Promise.resolve({ since: '', until: '', truncated: false, rows: rows.filter((r) => r.policy.namespace === namespace) }) } as unknown as Broker;
  const v = new VerifyPass({ broker, evaluators: {} as Evaluators, copies: [copy], sentinel: 'sentinel', log: () => undefined });
  const probes = probesOf(copy);
  for (let i = 0; i < 4; i++) {
    v.record(0, new Map(probes.filter((p) => i === 0 || failed.includes(p.key)).map((p) => [`3 ${p.key}`, { ok: !failed.includes(p.key), detail: '' }])));
  }
  await v.readRound(0, Object.values(copy.namespaces), new Date());
  return v;
}

const deviation = (key: string): Map<string, Disagreement> => new Map([[`0 3 ${key}`, { classification: 'kube-router deviation' } as Disagreement]]);

describe('VerifyPass.compare', () => {
  it('a denied probe that connected, reported NotEnforced at its destination and explained by a deviation: all explained', async () => {
    // Every probe to x/a connected although p0 denies it: 8 sources x 2 ports x 2 protocols, each reported.
    // (In the cases below the same 32 probes connect with no deviation to explain them: each is notDeviation.)
    const toA = probesOf(copy).filter((p) => p.dst.model === 'x/a');
    const rows = toA.map((p) => ({ ...row({ src: p.src.model }), port: p.port, protocol: p.protocol }));
    const v = (await pass(rows)).compare(placed, new Map(toA.map((p) => [`0 3 ${p.key}`, { classification: 'kube-router deviation' } as Disagreement])));
    expect([v.unexplained, v.notDeviation, v.missed, v.matched]).toEqual([[], [], [], 32]);
    expect(v.line).toBe('verify (enforcer on): 32 mismatches over 288 probes (1 scenarios), all explained');
    expect(v.perPolicy).toEqual(new Map([['e3-x/r009-p0 NotEnforced', 32]]));
  });

  it.each<{ title: string; rows: EnforcementRow[]; failed?: string[]; deviations?: Map<string, Disagreement>; unexplained: string[]; notDeviation: number; missed: number }>([
    { title: 'a mismatch no probe calls for (an allowed probe that connected)', rows: [row({ src: 'x/a', dst: 'x/b', policy: 'r009-p0' })],
      unexplained: ['0 3 x/a->x/b:80/TCP Ingress NotEnforced (e3-x/r009-p0)'], notDeviation: 32, missed: 32 },
    { title: 'the expected flow, under another scenario\'s policy', rows: [row({ policy: 'r019-p0' })], deviations: deviation(DENIED),
      unexplained: ['0 3 x/b->x/a:80/TCP Ingress NotEnforced (e3-x/r019-p0, not a policy of the scenario enforced there)'], notDeviation: 31, missed: 32 },
    { title: 'ends that are not the copy\'s pods', rows: [row({ src: '192.0.2.1' })],
      unexplained: ['0 /->e3-x/a:80/TCP Ingress NotEnforced (e3-x/r009-p0, not a policy of the scenario enforced there)'], notDeviation: 32, missed: 32 },
    { title: 'the denied probes dropped as they should: nothing expected, nothing reported', rows: [],
      failed: probesOf(copy).filter((p) => p.dst.model === 'x/a').map((p) => p.key), unexplained: [], notDeviation: 0, missed: 0 },
  ])('$title', async ({ rows, failed, deviations, unexplained, notDeviation, missed }) => {
    const v = (await pass(rows, failed)).compare(placed, deviations ?? new Map());
    expect([v.unexplained, v.notDeviation.length, v.missed.length]).toEqual([unexplained, notDeviation, missed]);
  });
});
