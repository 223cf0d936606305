/**
 * `audit test` on replayed flows whose pods the cluster no longer has (the broker's flows carry
 * the pod stamped when they were seen): the engine's semantics are unchanged (such an end is an
 * unknown peer, so only ipBlock and empty peers match it), but the report says so apart: a count
 * in summary.unknownPods / deniedUnknownPods, the names in flows[].unknownPods, "(unknown pod)"
 * in the rows and a note under the total, so nobody takes the would-denies for the policy's fault.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';

const PAYMENTS = 'test/fixtures/audit-test/payments';
const EXAMPLE = 'test/fixtures/audit-test/unknown-pods';
const base = ['audit', 'test', '-f', `${PAYMENTS}/policy-fixed.yaml`, '--cluster', `${PAYMENTS}/cluster.yaml`];

interface Report {
  flows: { line: number; unknownPods: string[]; effective: { allowed: boolean }; notes: string[] }[];
  summary: { flows: number; denied: number; unknownPods: number; deniedUnknownPods: number };
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  // The goldens are at 120 columns, as a terminal shows them (a pipe has no width).
  const io = { ...memoryIO(''), env: { COLUMNS: '120' } };
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('audit test with flows naming pods the cluster no longer has', () => {
  it('prints "(unknown pod)" in the rows and a note with the count under the total (golden)', async () => {
    const r = await run([...base, '--flows', `${EXAMPLE}/flows.jsonl`]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}2 +Ingress +web\/web-5b2a \(unknown pod\) +prod\/payments-7f9c /m);
    expect(r.out).toMatch(/^ {2}3 +Egress +prod\/payments-7f9c +prod\/postgres-1 \(unknown pod\) /m);
    expect(r.out).toContain('Note: 3 flows, 2 of them denied, name a pod the cluster does not have (web/web-5b2a, prod/postgres-1, batch/cron-1)');
    await expect(r.out).toMatchFileSnapshot(`../../${EXAMPLE}/expected.table.txt`);
  });

  it('-o json: summary.unknownPods and deniedUnknownPods, and each flow names its unknown pods', async () => {
    const r = await run([...base, '--flows', `${EXAMPLE}/flows.jsonl`, '-o', 'json']);
    const report = JSON.parse(r.out) as Report;
    expect(report.summary).toMatchObject({ flows: 5, denied: 3, unknownPods: 3, deniedUnknownPods: 2 });
    expect(report.flows.map((f) => [f.line, f.unknownPods])).toEqual([
      [1, []],
      [2, ['web/web-5b2a']],
      [3, ['prod/postgres-1']],
      [4, []], // an external IP is not a pod: a real would-deny
      [5, ['batch/cron-1']],
    ]);
    // The engine's verdicts are untouched: the pod is an unknown peer, as its note says.
    expect(report.flows[1]?.effective.allowed).toBe(false);
    expect(report.flows[1]?.notes).toEqual(['source pod web/web-5b2a is not known; only ipBlock and empty peers can match it']);
  });

  it('the same flows from pods the cluster has: no unknown pods, no note, and the policy allows them', async () => {
    // Control: lines 2 and 3 again, from the pods that replaced the deleted ones.
    const flows = [
      '{"src":{"ip":"10.244.2.10","namespace":"web","pod":"web-6c4d"},"dst":{"ip":"10.244.1.10","namespace":"prod","pod":"payments-7f9c"},"protocol":"TCP","port":8080}',
      '{"src":{"ip":"10.244.1.10","namespace":"prod","pod":"payments-7f9c"},"dst":{"ip":"10.244.1.20","namespace":"prod","pod":"postgres-0"},"protocol":"TCP","port":5432}',
    ].join('\n');
    const file = join(mkdtempSync(join(tmpdir(), 'kg-unknown-')), 'flows.jsonl');
    writeFileSync(file, flows);
    const table = await run([...base, '--flows', file]);
    expect(table.out).not.toContain('Note:');
    expect(table.out).not.toContain('(unknown pod)');
    const json = JSON.parse((await run([...base, '--flows', file, '-o', 'json'])).out) as Report;
    expect(json.summary).toMatchObject({ denied: 0, unknownPods: 0, deniedUnknownPods: 0 });
  });
});
