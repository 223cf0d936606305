/**
 * `audit test -f` with all three policy kinds, spread over repeated -f files (one of them
 * multi-document), end to end in-process on test/fixtures/audit-test/multi-kind: golden table
 * and JSON, a candidate NetworkPolicy replacing the enforced one of the same namespace/name
 * (while "today" stays what the cluster enforces now), and a cluster-scoped policy named
 * without a namespace.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';

const EXAMPLE = 'test/fixtures/audit-test/multi-kind';
const base = ['audit', 'test', '--cluster', `${EXAMPLE}/cluster.yaml`, '--flows', `${EXAMPLE}/flows.jsonl`];
const BOTH = ['-f', `${EXAMPLE}/payments.yaml`, '-f', `${EXAMPLE}/platform.yaml`];

interface Verdict {
  policy: string;
  kind: string;
  direction: string;
  verdict: string;
}
interface Report {
  flows: { line: number; verdicts: Verdict[]; effective: { allowed: boolean }; enforced: { allowed: boolean; ingress: string } }[];
  summary: { flows: number; denied: number; deniedToday: number; policies: { policy: string; kind: string }[]; enforcedPolicies: { policy: string; kind: string }[] };
}

async function run(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  // The goldens are at 120 columns, as a terminal shows them (a pipe has no width).
  const io = { ...memoryIO(stdin), env: { COLUMNS: '120' } };
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

async function report(files: string[]): Promise<Report> {
  const r = await run([...base, ...files, '-o', 'json']);
  expect(r.err).toBe('');
  return JSON.parse(r.out) as Report;
}

const flow = (r: Report, line: number): Report['flows'][number] => {
  const f = r.flows.find((x) => x.line === line);
  if (!f) throw new Error(`no flow on line ${line}`);
  return f;
};

describe('audit test -f with the three kinds over several files', () => {
  it('prints a group per candidate in -f order, then the enforced policy that still denies (golden)', async () => {
    const r = await run([...base, ...BOTH]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const headings = r.out.split('\n').filter((l) => /^\S/.test(l));
    expect(headings.map((h) => h.split(' (')[0])).toEqual([
      'AuditNetworkPolicy prod/payments-isolation',
      'AuditClusterNetworkPolicy prod-baseline',
      'NetworkPolicy prod/postgres-ingress',
      'NetworkPolicy web/web-ingress',
      '9 flows: 6 allowed, 3 would be denied with these policies enforced',
    ]);
    await expect(r.out).toMatchFileSnapshot(`../../${EXAMPLE}/expected.table.txt`);
  });

  it('prints the JSON report (golden)', async () => {
    const r = await run([...base, ...BOTH, '-o', 'json']);
    expect(r.code).toBe(0);
    await expect(r.out).toMatchFileSnapshot(`../../${EXAMPLE}/expected.json`);
  });

  it('documents spread over repeated -f read the same as all of them in one stream', async () => {
    const joined = [readFileSync(`${EXAMPLE}/payments.yaml`, 'utf8'), readFileSync(`${EXAMPLE}/platform.yaml`, 'utf8')].join('---\n');
    const split = await run([...base, ...BOTH, '-o', 'json']);
    const one = await run([...base, '-f', '-', '-o', 'json'], joined);
    expect(one.err).toBe('');
    expect(JSON.parse(one.out)).toEqual(JSON.parse(split.out));
  });

  it.each([
    { files: ['payments.yaml'], candidates: ['AuditNetworkPolicy prod/payments-isolation'] },
    { files: ['platform.yaml'], candidates: ['AuditClusterNetworkPolicy prod-baseline', 'NetworkPolicy prod/postgres-ingress'] },
    { files: ['platform.yaml', 'payments.yaml'], candidates: ['AuditClusterNetworkPolicy prod-baseline', 'NetworkPolicy prod/postgres-ingress', 'AuditNetworkPolicy prod/payments-isolation'] },
  ])('-f $files: the candidates are exactly the documents of those files, in order', async ({ files, candidates }) => {
    const r = await report(files.flatMap((f) => ['-f', `${EXAMPLE}/${f}`]));
    expect(r.summary.policies.map((p) => `${p.kind} ${p.policy}`)).toEqual(candidates);
  });
});

describe('a candidate NetworkPolicy with the namespace/name of an enforced one', () => {
  it('replaces it: reports-0 -> postgres-0 (line 6) is allowed by the candidate, while today the enforced one denies it', async () => {
    const withCandidate = await report(BOTH);
    const line6 = flow(withCandidate, 6);
    expect(line6.verdicts.filter((v) => v.policy === 'prod/postgres-ingress')).toEqual([expect.objectContaining({ kind: 'NetworkPolicy', direction: 'Ingress', verdict: 'Allow' })]);
    expect(line6.effective.allowed).toBe(true);
    // Today is the cluster as it is: the enforced postgres-ingress (payments only) denies reports.
    expect(line6.enforced).toMatchObject({ ingress: 'Deny', allowed: false });
    expect(withCandidate.summary.deniedToday).toBe(2); // lines 6 and 8
    expect(withCandidate.summary.policies.map((p) => p.policy)).toContain('prod/postgres-ingress');
    expect(withCandidate.summary.enforcedPolicies.map((p) => p.policy)).toEqual(['web/web-ingress']);

    // Control: without the candidate, the enforced policy judges line 6 and denies it.
    const without = await report(['-f', `${EXAMPLE}/payments.yaml`]);
    expect(flow(without, 6).verdicts.filter((v) => v.policy === 'prod/postgres-ingress')).toEqual([expect.objectContaining({ verdict: 'WouldDeny' })]);
    expect(flow(without, 6).effective.allowed).toBe(false);
    expect(without.summary.enforcedPolicies.map((p) => p.policy)).toEqual(['prod/postgres-ingress', 'web/web-ingress']);
  });

  it('its table group is a candidate one, not marked as enforced', async () => {
    const r = await run([...base, ...BOTH]);
    expect(r.out).toContain('NetworkPolicy prod/postgres-ingress (selects 1 pod): 0 would-deny, 2 allowed\n');
    expect(r.out).toContain('NetworkPolicy web/web-ingress (enforced on the cluster, not a candidate; selects 1 pod): 1 would-deny, 0 allowed\n');
  });
});

describe('a cluster-scoped candidate', () => {
  it('is named without a namespace in the table and the JSON', async () => {
    const table = await run([...base, ...BOTH]);
    expect(table.out).toContain('AuditClusterNetworkPolicy prod-baseline (selects 5 pods): 2 would-deny, 5 allowed\n');
    expect(table.out).not.toMatch(/\S\/prod-baseline/);
    const json = await report(BOTH);
    const names = new Set(json.flows.flatMap((f) => f.verdicts.filter((v) => v.kind === 'AuditClusterNetworkPolicy').map((v) => v.policy)));
    expect([...names]).toEqual(['prod-baseline']);
    expect(json.summary.policies).toContainEqual(expect.objectContaining({ policy: 'prod-baseline', kind: 'AuditClusterNetworkPolicy', selectedPods: 5 }));
  });
});
