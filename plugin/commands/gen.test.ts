/**
 * `gen networkpolicy` offline, in-process: golden output for the bundled shop example (YAML for
 * the cluster, JSON for a namespace, one workload with aggregation, the held-out report), files
 * with --output-dir, the generated policies judged by `audit test` over the same flows (zero
 * would-deny), refusals with exit 4, and bad input that names what is wrong with exit 1 or 2.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';

const SHOP = 'test/fixtures/gen/shop';
const offline = ['--cluster', `${SHOP}/cluster.yaml`, '--flows', `${SHOP}/flows.jsonl`];

async function run(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO(stdin);
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'kg-gen-'));
}

describe('gen networkpolicy on the shop example', () => {
  it('-A: one AuditNetworkPolicy per workload, sorted, with provenance; warnings and skips on stderr (golden)', async () => {
    const r = await run(['gen', 'networkpolicy', '-A', ...offline]);
    expect(r.code).toBe(0);
    await expect(r.out).toMatchFileSnapshot(`../../${SHOP}/expected.all.yaml`);
    await expect(r.err).toMatchFileSnapshot(`../../${SHOP}/expected.all.stderr.txt`);
    const docs = yaml.loadAll(r.out) as { kind: string; metadata: { namespace: string; name: string } }[];
    expect(docs.map((d) => `${d.metadata.namespace}/${d.metadata.name}`)).toEqual(['kube-system/gen-coredns', 'monitoring/gen-prometheus', 'shop/gen-database', 'shop/gen-migrate', 'shop/gen-payments', 'web/gen-frontend']);
    expect(new Set(docs.map((d) => d.kind))).toEqual(new Set(['AuditNetworkPolicy']));
  });

  it('the same run twice prints the same bytes', async () => {
    const a = await run(['gen', 'networkpolicy', '-A', ...offline]);
    const b = await run(['gen', 'netpol', '-A', ...offline]);
    expect(b.out).toBe(a.out);
  });

  it('-n shop --kind NetworkPolicy -o json: a v1 List of NetworkPolicies (golden)', async () => {
    const r = await run(['gen', 'networkpolicy', '-n', 'shop', '--kind', 'NetworkPolicy', '-o', 'json', ...offline]);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out) as { kind: string; items: { apiVersion: string; kind: string }[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((i) => `${i.apiVersion} ${i.kind}`)).toEqual(Array(3).fill('networking.k8s.io/v1 NetworkPolicy'));
    await expect(r.out).toMatchFileSnapshot(`../../${SHOP}/expected.shop.json`);
  });

  it.each([
    { title: 'a named workload: the object', args: ['migrate'], shape: 'AuditNetworkPolicy' },
    { title: 'a selection that matched one: still a List', args: ['-l', 'app=migrate'], shape: 'List' },
  ])('-o json, $title', async ({ args, shape }) => {
    const r = await run(['gen', 'networkpolicy', ...args, '-n', 'shop', '-o', 'json', ...offline]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { kind: string }).kind).toBe(shape);
  });

  it('one workload with --aggregate-cidr 24 (golden)', async () => {
    const r = await run(['gen', 'networkpolicy', 'payments', '-n', 'shop', '--aggregate-cidr', '24', ...offline]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('cidr: 203.0.113.0/24');
    await expect(r.out).toMatchFileSnapshot(`../../${SHOP}/expected.payments-aggregate.yaml`);
  });

  it('-l picks workloads by their pods labels; KIND/NAME picks one of a shared name', async () => {
    const byLabel = await run(['gen', 'networkpolicy', '-l', 'app in (database,migrate)', '-n', 'shop', ...offline]);
    expect(byLabel.code).toBe(0);
    expect((yaml.loadAll(byLabel.out) as { metadata: { name: string } }[]).map((d) => d.metadata.name)).toEqual(['gen-database', 'gen-migrate']);
    const byKind = await run(['gen', 'networkpolicy', 'sts/database', '-n', 'shop', ...offline]);
    expect(byKind.code).toBe(0);
    expect(byKind.out).toContain('name: gen-database');
  });

  it('--holdout 1d: learns from the first six days and reports what the policies would deny on the last (golden)', async () => {
    const r = await run(['gen', 'networkpolicy', '-A', '--holdout', '1d', ...offline]);
    expect(r.code).toBe(0);
    // Prometheus started scraping the database on the last day: the one flow the week before did not show.
    expect(r.err).toMatch(/held-out window 2026-12-01T23:59:55Z to 2026-12-02T23:59:55Z: \d+ flow lines judged; the generated policies would deny 1 of them \(11 flows\):/);
    expect(r.err).toMatch(/line 20: Egress monitoring\/prometheus-0 -> shop\/database-0 9187\/TCP \(11 flows\): AuditNetworkPolicy monitoring\/gen-prometheus/);
    expect(r.out).not.toContain('port: 9187');
    await expect(r.err).toMatchFileSnapshot(`../../${SHOP}/expected.holdout.stderr.txt`);
  });

  it('--output-dir writes one file per policy and lists them', async () => {
    const dir = tmp();
    const r = await run(['gen', 'networkpolicy', '-n', 'shop', '--output-dir', dir, ...offline]);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['shop.gen-database.yaml', 'shop.gen-migrate.yaml', 'shop.gen-payments.yaml']);
    expect(r.out).toBe(['shop.gen-database.yaml', 'shop.gen-migrate.yaml', 'shop.gen-payments.yaml'].map((f) => `wrote ${join(dir, f)}\n`).join(''));
    expect(readFileSync(join(dir, 'shop.gen-payments.yaml'), 'utf8')).toContain('kind: AuditNetworkPolicy');
  });

  it('audit test judges the generated policies over the same flows: zero would-deny', async () => {
    const dir = tmp();
    const policies = join(dir, 'generated.yaml');
    writeFileSync(policies, (await run(['gen', 'networkpolicy', '-A', ...offline])).out);
    const r = await run(['audit', 'test', '-f', policies, ...offline, '-o', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { summary: { flows: number; denied: number; unknownPods: number; deniedUnknownPods: number } };
    // The only denials are of the flow naming a pod that is gone, which gen left out on purpose.
    expect(report.summary.denied).toBe(report.summary.deniedUnknownPods);
    expect(report.summary.unknownPods).toBe(1);
  });
});

describe('gen networkpolicy refuses', () => {
  const cluster = (items: object[]): string => {
    const path = join(tmp(), 'cluster.yaml');
    writeFileSync(path, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    return path;
  };
  const flowsFile = (text: string): string => {
    const path = join(tmp(), 'flows.jsonl');
    writeFileSync(path, text);
    return path;
  };
  const podObj = (name: string, labels: Record<string, string>, ip: string): object => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'prod', labels }, spec: { containers: [] }, status: { podIP: ip } });

  it('a workload with no stable labels: exit 4, the others still printed', async () => {
    const c = cluster([podObj('naked', {}, '10.0.0.1'), podObj('web', { app: 'web' }, '10.0.0.2')]);
    const fl = flowsFile('{"src":{"ip":"10.0.0.2"},"dst":{"ip":"10.0.0.1"},"protocol":"TCP","port":80}\n');
    const r = await run(['gen', 'networkpolicy', '-n', 'prod', '--cluster', c, '--flows', fl]);
    expect(r.code).toBe(4);
    expect(r.err).toContain('refused: prod/pod/naked: it has no stable labels to select it by');
    expect(r.out).toContain('name: gen-web');
    expect(r.out).not.toContain('gen-naked');
  });

  it('nothing safe to emit: exit 4 and the denied flows, no policy on stdout', async () => {
    const c = cluster([
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'prod' }, spec: { template: { metadata: { labels: { app: 'api', v: '2' } } } } },
      { ...podObj('api-1-a', { app: 'api', v: '1', 'pod-template-hash': '1' }, '10.0.0.1'), metadata: { name: 'api-1-a', namespace: 'prod', labels: { app: 'api', v: '1', 'pod-template-hash': '1' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'api-1', controller: true }] } },
      podObj('client', { app: 'client' }, '10.0.0.5'),
    ]);
    const fl = flowsFile('{"src":{"ip":"10.0.0.5"},"dst":{"ip":"10.0.0.1"},"protocol":"TCP","port":80}\n');
    const r = await run(['gen', 'networkpolicy', 'client', '-n', 'prod', '--cluster', c, '--flows', fl]);
    expect(r.code).toBe(4);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^error: refusing to emit: the generated policies would deny 1 of the flows they were learned from:\n {2}line 1: Egress 10\.0\.0\.5 -> 10\.0\.0\.1 80\/TCP: /);
  });

  it.each([
    { title: 'an unknown workload lists what is there', args: ['nope', '-n', 'shop'], code: 1, err: /^error: no workload nope in namespace shop \(there: statefulset\/database, job\/migrate, deployment\/payments\)\n$/ },
    { title: 'an unknown namespace', args: ['-n', 'nowhere'], code: 1, err: /^error: no pods in namespace nowhere: nothing to generate a policy for\n$/ },
    { title: 'a label query that matches nothing', args: ['-l', 'app=nope', '-n', 'shop'], code: 1, err: /no workload in namespace shop has pods matching -l app=nope/ },
    { title: 'a label query that does not parse', args: ['-l', 'app=(', '-n', 'shop'], code: 2, err: /-l\/--selector: "app=\(" is not a label requirement/ },
    { title: 'WORKLOAD and -l together', args: ['payments', '-l', 'app=payments', '-n', 'shop'], code: 2, err: /give a WORKLOAD or -l\/--selector, not both/ },
    { title: '-n and -A together', args: ['-n', 'shop', '-A'], code: 2, err: /-n and -A together/ },
    { title: 'no namespace offline', args: [], code: 2, err: /name a namespace with -n NAMESPACE, or -A for every namespace/ },
    { title: 'a bad --kind lists the choices', args: ['-A', '--kind', 'Policy'], code: 2, err: /--kind: "Policy" is not one of AuditNetworkPolicy, NetworkPolicy\nSee 'kubectl kguardian gen networkpolicy --help' for usage\./ },
    { title: 'a prefix length out of range', args: ['-A', '--aggregate-cidr', '33'], code: 2, err: /--aggregate-cidr: 33 is not a prefix length from 0 to 32/ },
    { title: 'a bad --holdout', args: ['-A', '--holdout', 'soon'], code: 2, err: /--holdout: "soon" is not a duration/ },
    { title: 'a --holdout that leaves nothing to learn from', args: ['-A', '--holdout', '30d'], code: 4, err: /--holdout 30d: there are flows \(.*flows\.jsonl: \d+ distinct flows\), but all of them fall in the held-out window .*; hold out less, such as --holdout 3d\n$/ },
  ])('$title (exit $code)', async ({ args, code, err }) => {
    const r = await run(['gen', 'networkpolicy', ...args, ...offline]);
    expect(r.out).toBe('');
    expect(r.err).toMatch(err);
    expect(r.code).toBe(code);
  });

  it.each([
    { title: 'an empty flow file (an empty window)', flows: '# nothing\n', code: 1, err: /^error: no flows in .*flows\.jsonl: nothing to learn from\n$/ },
    { title: 'a malformed flow line names its line', flows: '{"src":{"ip":"10.244.1.10"},"dst":{"ip":"10.244.2.20"},"protocol":"TCP","port":8080}\n{"src":', code: 2, err: /flows\.jsonl, line 2: invalid JSON/ },
    { title: 'a bad field names the field', flows: '{"src":{"ip":"10.244.1.10"},"dst":{"ip":"10.244.2.20"},"protocol":"TCP","port":8080,"count":-1}', code: 2, err: /flows\.jsonl, line 1: count: / },
    { title: '--holdout with flows that carry no times', flows: '{"src":{"ip":"10.244.1.10"},"dst":{"ip":"10.244.2.20"},"protocol":"TCP","port":8080}', code: 2, err: /--holdout needs to know when each flow was seen: .*flows\.jsonl, line 1 has no firstSeen or lastSeen/, extra: ['--holdout', '1h'] },
  ])('$title (exit $code)', async ({ flows, code, err, extra }) => {
    const r = await run(['gen', 'networkpolicy', '-A', '--cluster', `${SHOP}/cluster.yaml`, '--flows', flowsFile(flows), ...(extra ?? [])]);
    expect(r.err).toMatch(err);
    expect(r.code).toBe(code);
  });

  it('a cluster file that is not a List of objects names the item', async () => {
    const path = join(tmp(), 'cluster.yaml');
    writeFileSync(path, 'apiVersion: v1\nkind: List\nitems:\n  - 42\n');
    const r = await run(['gen', 'networkpolicy', '-A', '--cluster', path, '--flows', `${SHOP}/flows.jsonl`]);
    expect(r.err).toMatch(/cluster\.yaml, document 1 \(line 1\): items\[0\]\.kind: each item must be an object with a kind/);
    expect(r.code).toBe(2);
  });
});
