/**
 * `audit test` end to end, in-process: golden output for the table, wide, no-headers and JSON forms on the
 * bundled payments example, exit codes, stdin, and bad input that must name its file,
 * location and field and exit 2 without a stack trace.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';

const EXAMPLE = 'test/fixtures/audit-test/payments';
const base = ['audit', 'test', '--cluster', `${EXAMPLE}/cluster.yaml`, '--flows', `${EXAMPLE}/flows.jsonl`];

// The goldens are the table as a 120-column terminal shows it; a pipe (no width) is tested apart.
async function run(args: string[], stdin = '', env: Record<string, string> = { COLUMNS: '120' }): Promise<{ code: number; out: string; err: string }> {
  const io = { ...memoryIO(stdin), env };
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** The text with its line breaks and column padding folded into single spaces (the table wraps REASON). */
const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

describe('audit test on the payments example', () => {
  it('prints the would-deny flows per policy as a table (golden)', async () => {
    const r = await run([...base, '-f', `${EXAMPLE}/policy.yaml`]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    await expect(r.out).toMatchFileSnapshot(`../../${EXAMPLE}/expected.table.txt`);
  });

  it('-o wide lists every verdict of each policy with rule, IPs, outcome today and once enforced, notes (golden)', async () => {
    const r = await run([...base, '-f', `${EXAMPLE}/policy.yaml`, '-o', 'wide']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}LINE +DIRECTION +SOURCE +SOURCE-IP +DESTINATION +DESTINATION-IP +PORT +VERDICT +RULE +TODAY +IF-ENFORCED +NOTES +REASON$/m);
    // Allow rows too, with the rule that allowed them; the would-deny rows as in the table.
    expect(r.out).toMatch(/^ {2}5 +Egress +prod\/payments-7f9c +10\.244\.1\.10 +prod\/postgres-0 +10\.244\.1\.20 +5432\/TCP +Allow +1 +NotSelected +Allow +- +egress rule 1 allows/m);
    expect(r.out).toMatch(/^ {2}3 +Ingress +monitoring\/prometheus-0 +- +prod\/payments-7f9c +- +9090\/TCP +WouldDeny +- +NotSelected +Deny +- +selects/m);
    await expect(r.out).toMatchFileSnapshot('__golden__/audit-test.payments.wide.txt');
  });

  it('--no-headers leaves out the column header lines of table and wide (golden)', async () => {
    const table = await run([...base, '-f', `${EXAMPLE}/policy.yaml`]);
    const bare = await run([...base, '-f', `${EXAMPLE}/policy.yaml`, '--no-headers']);
    expect(bare.code).toBe(0);
    expect(bare.out).not.toMatch(/^ {2}LINE /m);
    const rowsOf = (text: string): string[] => text.split('\n').filter((l) => /^ {2}\d/.test(l)).map((l) => l.trim().split(/\s{2,}/).join('|'));
    expect(rowsOf(bare.out)).toEqual(rowsOf(table.out));
    expect(rowsOf(bare.out)).toHaveLength(4);
    await expect(bare.out).toMatchFileSnapshot('__golden__/audit-test.payments.no-headers.txt');
    const wide = await run([...base, '-f', `${EXAMPLE}/policy.yaml`, '-o', 'wide', '--no-headers']);
    expect(wide.out).not.toMatch(/LINE|REASON/);
    // The candidate's six verdicts, and both of the enforced postgres-ingress (lines 5 and 7).
    expect(rowsOf(wide.out)).toHaveLength(8);
  });

  it.each([80, 100, 120, 160])('the table fits %i columns: no line runs over, every reason is whole (wrapped), wide is not fitted', async (columns) => {
    const env = { COLUMNS: String(columns) };
    const table = await run([...base, '-f', `${EXAMPLE}/policy.yaml`], '', env);
    expect(table.code).toBe(0);
    const over = table.out.split('\n').filter((l) => l.length > columns);
    expect(over).toEqual([]);
    const json = JSON.parse((await run([...base, '-f', `${EXAMPLE}/policy.yaml`, '-o', 'json'])).out) as { flows: { verdicts: { verdict: string; kind: string; policy: string; reason: string }[] }[] };
    const reasons = json.flows.flatMap((f) => f.verdicts.filter((v) => v.verdict === 'WouldDeny').map((v) => v.reason.slice(`${v.kind} ${v.policy} `.length)));
    expect(reasons).toHaveLength(4);
    for (const reason of reasons) expect(oneLine(table.out)).toContain(oneLine(reason));
    // Wide keeps each row on one line, whatever the width.
    const wide = await run([...base, '-f', `${EXAMPLE}/policy.yaml`, '-o', 'wide'], '', env);
    const wideRows = wide.out.split('\n').filter((l) => /^ {2}\d/.test(l));
    expect(wideRows).toHaveLength(8);
    expect(Math.max(...wideRows.map((l) => l.length))).toBeGreaterThan(columns);
  });

  it.each([
    { columns: 80, row: /^ {2}3 {6}Ingress {5}monitoring\/prometheus-0 {3}prod\/payments-7f9c {3}9090\/TCP\n {9}selects prod\/payments-7f9c, but no ingress rule allows 9090\/TCP from\n {9}monitoring/m },
    // Even the row without REASON would run over: the endpoints give way with an ellipsis.
    { columns: 60, row: /^ {2}3 {6}Ingress {5}monitoring\/p… {3}prod\/paymen… {3}9090\/TCP\n {9}selects prod\/payments-7f9c, but no ingress rule\n/m },
  ])('at $columns columns REASON goes under its row, as wide as the terminal', async ({ columns, row }) => {
    const r = await run([...base, '-f', `${EXAMPLE}/policy.yaml`], '', { COLUMNS: String(columns) });
    expect(r.out).toMatch(/^ {2}LINE {3}DIRECTION {3}SOURCE +DESTINATION +PORT$/m);
    expect(r.out).toMatch(row);
  });

  it('in a pipe (no COLUMNS, no terminal) nothing is wrapped: each would-deny row is one line with its reason whole', async () => {
    const r = await run([...base, '-f', `${EXAMPLE}/policy.yaml`], '', {});
    const rows = r.out.split('\n').filter((l) => /^ {2}\d/.test(l));
    expect(rows).toHaveLength(4);
    expect(r.out).toMatch(/^ {2}3 +Ingress +monitoring\/prometheus-0 +prod\/payments-7f9c +9090\/TCP +selects prod\/payments-7f9c, but no ingress rule allows 9090\/TCP from monitoring\S*.*$/m);
    expect(r.out.split('\n').filter((l) => /^ {20,}\S/.test(l))).toEqual([]);
  });

  it('prints one JSON entry per input flow, in input order (golden)', async () => {
    const r = await run([...base, '-f', `${EXAMPLE}/policy.yaml`, '-o', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { flows: { line: number }[]; summary: { flows: number; denied: number } };
    expect(report.flows.map((f) => f.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(report.summary).toMatchObject({ flows: 8, denied: 4 });
    await expect(r.out).toMatchFileSnapshot(`../../${EXAMPLE}/expected.json`);
  });

  it('every flow the total counts as denied has a row, under the policy that denies it', async () => {
    const table = await run([...base, '-f', `${EXAMPLE}/policy.yaml`]);
    const json = await run([...base, '-f', `${EXAMPLE}/policy.yaml`, '-o', 'json']);
    const report = JSON.parse(json.out) as { flows: { line: number; effective: { allowed: boolean } }[]; summary: { denied: number } };
    const deniedLines = report.flows.filter((f) => !f.effective.allowed).map((f) => f.line);
    expect(deniedLines).toHaveLength(report.summary.denied);
    const rowLines = new Set(table.out.split('\n').filter((l) => /^ {2}\d/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0])));
    expect([...rowLines].sort()).toEqual(deniedLines);
    expect(table.out).toContain(`${report.summary.denied} would be denied`);
  });

  it('groups the would-deny of an enforced NetworkPolicy under it, marked as enforced, and lists it in summary.enforcedPolicies', async () => {
    const table = await run([...base, '-f', `${EXAMPLE}/policy.yaml`]);
    const group = table.out.split('\n\n').find((g) => g.startsWith('NetworkPolicy prod/postgres-ingress'));
    expect(oneLine(group?.split('\n  LINE')[0] ?? '')).toBe('NetworkPolicy prod/postgres-ingress (enforced on the cluster, not a candidate; selects 1 pod): 1 would-deny, 1 allowed');
    expect(group).toMatch(/^ {2}7 +Ingress +prod\/checkout-5d8b +prod\/postgres-0 +5432\/TCP +selects prod\/postgres-0, but no ingress rule/m);
    const json = await run([...base, '-f', `${EXAMPLE}/policy.yaml`, '-o', 'json']);
    const summary = (JSON.parse(json.out) as { summary: { policies: unknown[]; enforcedPolicies: unknown[] } }).summary;
    expect(summary.enforcedPolicies).toEqual([{ policy: 'prod/postgres-ingress', kind: 'NetworkPolicy', selectedPods: 1, allow: 1, wouldDeny: 1 }]);
    expect(summary.policies).toHaveLength(1);
  });

  it('prints the same report as YAML', async () => {
    const json = await run([...base, '-f', `${EXAMPLE}/policy.yaml`, '-o', 'json']);
    const yml = await run([...base, '-f', `${EXAMPLE}/policy.yaml`, '-o', 'yaml']);
    expect(yaml.load(yml.out)).toEqual(JSON.parse(json.out));
  });

  it('names the cross-namespace mistake in the reason', async () => {
    const r = await run([...base, '-f', `${EXAMPLE}/policy.yaml`]);
    expect(oneLine(r.out)).toContain("ingress rule 0 matches web/web-6c4d's labels (pods tier=frontend in the policy's namespace) but only in namespace prod");
  });

  it.each([
    { title: 'the broken policy without --fail-on-deny exits 0', file: 'policy.yaml', flag: [], code: 0 },
    { title: 'the broken policy with --fail-on-deny exits 3', file: 'policy.yaml', flag: ['--fail-on-deny'], code: 3 },
    // The fixed policy still denies the external egress on line 6, and an enforced policy denies line 7.
    { title: 'the fixed policy with --fail-on-deny still exits 3 for the remaining denies', file: 'policy-fixed.yaml', flag: ['--fail-on-deny'], code: 3 },
  ])('$title', async ({ file, flag, code }) => {
    const r = await run([...base, '-f', `${EXAMPLE}/${file}`, ...flag]);
    expect(r.code).toBe(code);
  });

  it('the fixed policy clears the frontend and Prometheus flows', async () => {
    const r = await run([...base, '-f', `${EXAMPLE}/policy-fixed.yaml`, '-o', 'json']);
    const report = JSON.parse(r.out) as { summary: { policies: { wouldDeny: number; allow: number }[] } };
    expect(report.summary.policies).toEqual([{ policy: 'prod/payments-isolation', kind: 'AuditNetworkPolicy', selectedPods: 1, allow: 5, wouldDeny: 1 }]);
  });

  it('reads policies from stdin with -f -', async () => {
    const { readFileSync } = await import('node:fs');
    const r = await run([...base, '-f', '-', '-o', 'json'], readFileSync(`${EXAMPLE}/policy.yaml`, 'utf8'));
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { summary: { denied: number } }).summary.denied).toBe(4);
  });
});

const GOOD_POLICY = `apiVersion: kguardian.dev/v1alpha1
kind: AuditNetworkPolicy
metadata: {name: ok, namespace: prod}
spec: {podSelector: {}}
`;

describe('audit test rejects bad input with its location', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kg-audit-test-'));
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const policyWith = (spec: string): string => `apiVersion: kguardian.dev/v1alpha1\nkind: AuditNetworkPolicy\nmetadata: {name: bad, namespace: prod}\nspec:\n${spec}\n`;

  it.each([
    { title: 'malformed YAML names the line', policy: 'kind: AuditNetworkPolicy\nmetadata: {name: x\n', expected: /bad\.yaml, line \d+: invalid YAML/ },
    { title: 'an unknown kind names document and field', policy: `${GOOD_POLICY}---\nkind: Deployment\nmetadata: {name: d}\n`, expected: /bad\.yaml, document 2 \(line 6\): kind: Deployment is not a policy kind/ },
    {
      title: 'an invalid selector operator names the field',
      policy: policyWith('  podSelector:\n    matchExpressions: [{key: app, operator: Equals, values: [a]}]'),
      expected: /document 1 \(line 1\): spec\.podSelector\.matchExpressions\[0\]\.operator: has unknown operator Equals/,
    },
    {
      title: 'a bad CIDR names the field',
      policy: policyWith('  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]'),
      expected: /spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr: 10\.0\.0\.0\/33 is not a valid CIDR/,
    },
    {
      title: 'a bad port names the field',
      policy: policyWith('  podSelector: {}\n  ingress: [{ports: [{port: 70000}]}]'),
      expected: /spec\.ingress\[0\]\.ports\[0\]\.port: 70000 is not a valid port/,
    },
    {
      title: 'an except outside its cidr names the field',
      policy: policyWith('  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}}]}]'),
      expected: /spec\.egress\[0\]\.to\[0\]\.ipBlock\.except\[0\]: 192\.168\.0\.0\/16 must be a strict subset of cidr 10\.0\.0\.0\/8/,
    },
    { title: 'a document that is not an object', policy: '- just\n- a list\n', expected: /document 1 \(line 1\): expected a Kubernetes object/ },
  ])('$title', async ({ policy, expected }) => {
    const r = await run([...base, '-f', write('bad.yaml', policy)]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(expected);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.out).toBe('');
  });

  it.each([
    { title: 'malformed JSON names the line', flows: '{"src":{"ip":"10.0.0.1"},"dst":{"ip":"10.0.0.2"},"protocol":"TCP","port":80}\n{"src":', expected: /flows\.jsonl, line 2: invalid JSON/ },
    { title: 'a bad protocol names the field', flows: '{"src":{"ip":"10.0.0.1"},"dst":{"ip":"10.0.0.2"},"protocol":"TPC","port":80}', expected: /flows\.jsonl, line 1: protocol: must be TCP, UDP or SCTP/ },
    { title: 'a bad IP names the field', flows: '{"src":{"ip":"10.0.0.300"},"dst":{"ip":"10.0.0.2"},"protocol":"TCP","port":80}', expected: /line 1: src\.ip: is not a valid IPv4 or IPv6 address/ },
    { title: 'a port out of range names the field', flows: '{"src":{"ip":"10.0.0.1"},"dst":{"ip":"10.0.0.2"},"protocol":"UDP","port":0}', expected: /line 1: port: / },
    { title: 'an end with neither ip nor pod', flows: '{"src":{},"dst":{"ip":"10.0.0.2"},"protocol":"UDP","port":53}', expected: /line 1: src: needs an ip, or both namespace and pod/ },
    { title: 'an unknown field is rejected, not ignored', flows: '{"src":{"ip":"10.0.0.1"},"dst":{"ip":"10.0.0.2"},"protocol":"TCP","port":80,"dport":8080}', expected: /line 1: / },
  ])('$title', async ({ flows, expected }) => {
    const r = await run(['audit', 'test', '-f', write('ok.yaml', GOOD_POLICY), '--cluster', `${EXAMPLE}/cluster.yaml`, '--flows', write('flows.jsonl', flows)]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(expected);
  });

  it.each([
    { title: 'a missing file', args: ['-f', 'nope.yaml'], expected: /nope\.yaml: no such file/ },
    { title: 'an unknown output format lists the valid ones', args: ['-f', `${EXAMPLE}/policy.yaml`, '-o', 'xml'], expected: /-o\/--output: "xml" is not one of table, wide, json, yaml/ },
    { title: 'no -f at all', args: [], expected: /give at least one policy file with -f/ },
  ])('$title exits 2', async ({ args, expected }) => {
    const r = await run([...base, ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(expected);
  });

  it('a cluster file with an invalid NetworkPolicy names the List item', async () => {
    const cluster = write('cluster.yaml', 'apiVersion: v1\nkind: List\nitems:\n  - {kind: Namespace, metadata: {name: prod}}\n  - kind: NetworkPolicy\n    metadata: {name: np, namespace: prod}\n    spec: {podSelector: {}, policyTypes: [Ingres]}\n');
    const r = await run(['audit', 'test', '-f', write('ok.yaml', GOOD_POLICY), '--cluster', cluster, '--flows', `${EXAMPLE}/flows.jsonl`]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cluster\.yaml, document 1 \(line 1\): items\[1\]\.spec\.policyTypes\[0\]: Ingres is not a valid policy type/);
  });
});
