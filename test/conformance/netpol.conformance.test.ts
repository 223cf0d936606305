/**
 * CI's share of the upstream NetworkPolicy e2e suite (the whole suite is `npm run conformance`,
 * docs/conformance.md): a named subset of e2e.test's Netpol specs on a real cluster with
 * kube-router enforcing and kguardian watching. The enforcer passes every spec of the subset,
 * and kguardian's judgement of every probe connection agrees with its outcome, but for
 * connections made before the enforcer applied a change (a later connection of the same pair agrees).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../playground/paths.js';
import { requireRoot } from '../netns/require-root.js';
import { runNetpolConformance, type RunResult } from './netpol-run.js';
import { agreementLine, renderReport } from './report.js';

requireRoot('the conformance tests');

/**
 * Ingress and egress isolation, namespace and pod selectors together, ports, ipBlock with except,
 * a policy update, and UDP: one spec of each family the suite covers.
 */
export const CI_SUBSET = [
  "should support a 'default-deny-ingress' policy",
  'should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector',
  'should deny egress from pods based on PodSelector',
  'should enforce except clause while egress access to server in CIDR block',
];

function focusOf(names: string[]): string {
  const escape = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  return `\\[sig-network\\] Netpol NetworkPolicy between server and client (${names.map(escape).join('|')})`;
}

let result: RunResult;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kgc-conformance-'));
  const outDir = join(REPO_ROOT, '.cache', 'conformance', 'ci');
  const focus = focusOf(CI_SUBSET);
  result = await runNetpolConformance(dir, { outDir, focus, skip: 'SCTPConnectivity' });
  console.log(renderReport(result, { focus, skip: 'SCTPConnectivity', e2eTest: 'e2e.test' }));
});

describe('the upstream Netpol e2e subset on the real cluster', () => {
  it('runs with kube-router enforcing', () => {
    expect(result.enforcer).toBe('kube-router');
  });

  it('passes every spec of the subset (the enforcer conforms)', () => {
    // The suite reports specs in the order they finished, which varies from run to run.
    const specs = result.suite.specs.map((s) => [s.name.replace(/.* should /, 'should '), s.state] as const);
    expect(specs).toHaveLength(CI_SUBSET.length);
    for (const n of CI_SUBSET) expect(specs.filter(([name]) => name.includes(n)).map(([, state]) => state), n).toEqual(['passed']);
    expect(result.exitCode).toBe(0);
  });

  it("agrees with the outcome of every probe connection a NetworkPolicy decides, but until the enforcer applied a change", () => {
    console.log(agreementLine(result.agreement));
    // A connection no NetworkPolicy selects is blocked by no policy: while the suite waits for its
    // servers to listen, a probe can time out with nothing in force. Those are reported, not judged here.
    const lasting = result.comparison.judged.filter((j) => j.why === 'other' && !j.loopback && j.reasons.length > 0);
    expect(lasting.map((j) => ({ row: j.row, reasons: j.reasons }))).toEqual([]);
    expect(result.comparison.unjudged.filter((u) => !u.reason.startsWith('straddles'))).toEqual([]);
    expect(result.agreement.connections).toBeGreaterThan(0);
  });

  it('saw the probes of every spec', () => {
    for (const s of result.perSpec) expect(s.agreement.connections, s.name).toBeGreaterThan(0);
  });
});
