/**
 * One run of the upstream NetworkPolicy e2e suite (`e2e.test --ginkgo.focus=Netpol`) on the real
 * cluster of scripts/cluster.sh, with kube-router enforcing (when cluster.sh offers it) and
 * kguardian installed and watching. It returns both results the conformance report states
 * separately: the suite's own (the enforcer's conformance on this cluster), and how kguardian's
 * judgement of each probe connection compares with what happened to it.
 */
import { execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { REPO_ROOT } from '../../playground/paths.js';
import { Cluster, clusterEnv, clusterScript } from '../cluster/testing/cluster.js';
import { installKguardian, loadImages } from '../cluster/testing/kguardian.js';
import { mergeResults, plannedSpecs, readGinkgoReport, type SuiteResult } from './e2e-report.js';
import { compareProbes, summarise, type AgreementSummary, type FlowRow, type ProbeComparison } from './probe-connections.js';
import { TimelineRecorder, TimelineReplay, type TimelineEvent } from './timeline.js';

const run = promisify(execFile);

export interface RunOptions {
  /** Where the run writes its logs and reports. */
  outDir: string;
  /** --ginkgo.focus and --ginkgo.skip (Go regular expressions). */
  focus: string;
  skip: string;
  /**
   * e2e.test processes run at once, each on its own share of the specs (default 1). The suite's
   * specs are not [Serial] and each makes its own namespaces; its probes spend most of their time
   * waiting, so two or three processes shorten the run on a small machine.
   */
  processes?: number;
  /** Leave the cluster up at the end (for a look around); the caller brings it down. */
  keepCluster?: boolean;
  log?: (line: string) => void;
}

export interface RunResult {
  enforcer: string;
  suite: SuiteResult;
  /** e2e.test's exit code. */
  exitCode: number;
  agreement: AgreementSummary;
  comparison: ProbeComparison;
  /** Per spec: its agreement over the probe connections made while it ran. */
  perSpec: { name: string; state: string; seconds: number; agreement: AgreementSummary }[];
  seconds: { setup: number; suite: number; judge: number };
  clusterDir: string;
}

/** The suite's probes: namespaces made by the e2e framework (label e2e-run), ports 80 and 81, TCP and UDP (kguardian's agent sees no SCTP). */
const PORTS = new Set([80, 81]);
const PROTOCOLS = new Set(['TCP', 'UDP'] as const);

/** Builds e2e.test unless cached (scripts/lib/e2e-test.sh) and returns its path. */
export async function e2eTestBinary(): Promise<string> {
  const lib = `${REPO_ROOT}scripts/lib`;
  const { stdout } = await run('bash', ['-c', `source ${lib}/log.sh && source ${lib}/controlplane.sh && source ${lib}/e2e-test.sh && e2etest_build`],
    { maxBuffer: 16 * 1024 * 1024, timeout: 3 * 60 * 60_000 });
  return stdout.trim();
}

/** Whether scripts/cluster.sh can start an enforcer (`up --enforcer kube-router`). */
async function enforcerAvailable(): Promise<boolean> {
  return (await readFile(`${REPO_ROOT}scripts/cluster.sh`, 'utf8')).includes('--enforcer');
}

/**
 * The images e2e.test names (`--list-images`) for agnhost and pause, tagged onto the ones
 * scripts/images.sh built: no registry is reachable, and the suite's pods pull IfNotPresent.
 */
async function tagSuiteImages(cluster: Cluster, e2eTest: string, built: Record<string, string>): Promise<string[]> {
  const { stdout } = await run(e2eTest, ['--list-images'], { maxBuffer: 16 * 1024 * 1024 });
  // Only the release's own registry: the others (k8s-authenticated-test) are for tests of private pulls.
  const wanted = stdout.split('\n').map((l) => l.trim()).filter((l) => /^registry\.k8s\.io\/(e2e-test-images\/agnhost|pause):/.test(l));
  const tagged: string[] = [];
  for (const ref of wanted) {
    const name = /\/agnhost:/.test(ref) ? 'agnhost' : 'pause';
    const src = built[name];
    if (!src) throw new Error(`no locally built ${name} image to stand for ${ref}`);
    await run('ctr', ['--address', cluster.env.CONTAINERD_ADDRESS, '-n', 'k8s.io', 'images', 'tag', '--force', src, ref]);
    tagged.push(`${ref} = ${src}`);
  }
  if (!wanted.some((r) => /\/agnhost:/.test(r))) throw new Error('e2e.test --list-images names no agnhost image');
  return tagged;
}

/** A ServiceAccount allowed to read the broker's flows, and a token for it. */
async function brokerReader(cluster: Cluster): Promise<{ url: string; token: string }> {
  await cluster.kubectl(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1', kind: 'List', items: [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'conformance-reader', namespace: 'kguardian' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'conformance-reader' },
        rules: [{ apiGroups: ['kguardian.dev'], resources: ['flows'], verbs: ['get'] }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'conformance-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'conformance-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'conformance-reader', namespace: 'kguardian' }] },
    ],
  }));
  const token = (await cluster.kubectl(['-n', 'kguardian', 'create', 'token', 'conformance-reader', '--duration=6h'])).trim();
  const svc = await cluster.json<{ spec: { clusterIP: string; ports: { port: number }[] } }>(['-n', 'kguardian', 'get', 'svc', 'kguardian-broker']);
  // The node reaches a ClusterIP through kube-proxy's OUTPUT rules; an enforcer admits the node's own traffic.
  return { url: `http://${svc.spec.clusterIP}:${svc.spec.ports[0]!.port}`, token };
}

/** Every flow row the broker holds since `since`, page by page. */
export async function readFlows(broker: { url: string; token: string }, since: Date): Promise<FlowRow[]> {
  const rows: FlowRow[] = [];
  let cursor = 0;
  for (;;) {
    const res = await fetch(`${broker.url}/v1/flows?since=${since.toISOString()}&cursor=${cursor}&limit=5000`,
      { headers: { authorization: `Bearer ${broker.token}` } });
    if (!res.ok) throw new Error(`GET /v1/flows: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { flows: FlowRow[]; nextCursor: number | null };
    rows.push(...page.flows);
    if (page.nextCursor === null || page.flows.length === 0) return rows;
    cursor = page.nextCursor;
  }
}

/** The suite's probe connections counted in the broker's rows. */
function probeCount(rows: readonly FlowRow[], namespaces: ReadonlySet<string>): number {
  return rows.filter((r) => r.src.namespace !== undefined && namespaces.has(r.src.namespace)).reduce((n, r) => n + r.count, 0);
}

/**
 * Reads the flows once the agent has shipped everything of the run: the agent ships a bucket when
 * it ends (10 s), so the count of probe connections must stay the same across a whole bucket
 * after the suite finished, and it is read until it does (at most two minutes).
 */
async function settledFlows(broker: { url: string; token: string }, since: Date, namespaces: ReadonlySet<string>, bucketMs: number): Promise<FlowRow[]> {
  let rows = await readFlows(broker, since);
  let stableSince = Date.now();
  const deadline = Date.now() + 120_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const again = await readFlows(broker, since);
    if (probeCount(again, namespaces) !== probeCount(rows, namespaces)) stableSince = Date.now();
    rows = again;
    if (Date.now() - stableSince > bucketMs + 2000 || Date.now() > deadline) return rows;
  }
}

function suiteNamespaces(events: readonly TimelineEvent[]): Set<string> {
  const out = new Set<string>();
  for (const e of events) {
    if (e.resource !== 'namespaces') continue;
    const m = e.object.metadata as { name?: string; labels?: Record<string, string> };
    if (m.name && m.labels?.['e2e-run'] !== undefined) out.add(m.name);
  }
  return out;
}

/** RE2 (and JavaScript) escaping of a literal. */
function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * The suite's specs under focus and skip, split round-robin into `n` focus expressions matching
 * exactly those: each is the alternation of its specs' full names (not anchored: the text Ginkgo
 * matches carries more than the name; no name of the suite is part of another).
 */
async function partitions(e2eTest: string, o: RunOptions, n: number): Promise<string[]> {
  const report = join(o.outDir, 'dry-run.json');
  await run(e2eTest, ['--ginkgo.dry-run', `--ginkgo.focus=${o.focus}`, `--ginkgo.skip=${o.skip}`, `--ginkgo.json-report=${report}`],
    { maxBuffer: 64 * 1024 * 1024 }).catch(() => undefined);
  const names = plannedSpecs(await readFile(report, 'utf8'));
  const groups: string[][] = Array.from({ length: Math.min(n, names.length) }, () => []);
  names.forEach((name, i) => groups[i % groups.length]!.push(name));
  return groups.map((g) => `(${g.map(escapeRegex).join('|')})`);
}

/** One e2e.test process: the specs it runs (`focus`), and `tag`, which suffixes its log and reports. */
interface E2ePart {
  focus: string;
  tag: string;
}

function runE2eTest(e2eTest: string, kubeconfig: string, o: Pick<RunOptions, 'skip' | 'outDir'>, part: E2ePart): Promise<number> {
  const { skip, outDir } = o;
  const { focus, tag } = part;
  const log = createWriteStream(join(outDir, `e2e${tag}.log`));
  const args = [
    `--kubeconfig=${kubeconfig}`,
    `--ginkgo.focus=${focus}`,
    `--ginkgo.skip=${skip}`,
    `--ginkgo.json-report=${join(outDir, `ginkgo-report${tag}.json`)}`,
    '--ginkgo.timeout=4h',
    '--ginkgo.no-color',
    `--report-dir=${outDir}`,
    `--report-prefix=${tag.replace(/^-/, '')}`,
    // One node: nothing waits for more.
    '--num-nodes=1',
  ];
  const child = spawn(e2eTest, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  return new Promise<number>((resolve) => {
    child.on('close', (c) => {
      log.end();
      resolve(c ?? 1);
    });
  });
}

/** Runs the suite (in `o.processes` parts at once); returns the worst exit code and the merged result. */
async function runSuite(e2eTest: string, kubeconfig: string, o: RunOptions): Promise<{ exitCode: number; suite: SuiteResult }> {
  const n = o.processes ?? 1;
  const start = Date.now();
  if (n <= 1) {
    const exitCode = await runE2eTest(e2eTest, kubeconfig, o, { focus: o.focus, tag: '' });
    return { exitCode, suite: await readGinkgoReport(join(o.outDir, 'ginkgo-report.json')) };
  }
  const focuses = await partitions(e2eTest, o, n);
  const codes = await Promise.all(focuses.map((f, i) => runE2eTest(e2eTest, kubeconfig, o, { focus: f, tag: `-${i + 1}` })));
  const parts = await Promise.all(focuses.map((_, i) => readGinkgoReport(join(o.outDir, `ginkgo-report-${i + 1}.json`))));
  return { exitCode: Math.max(...codes), suite: mergeResults(parts, (Date.now() - start) / 1000) };
}

export async function runNetpolConformance(dir: string, o: RunOptions): Promise<RunResult> {
  const say = o.log ?? (() => {});
  await mkdir(o.outDir, { recursive: true });
  const t0 = Date.now();
  const e2eTest = await e2eTestBinary();
  say(`e2e.test: ${e2eTest}`);
  const enforcer = (await enforcerAvailable()) ? 'kube-router' : 'none';
  say(`cluster up (enforcer: ${enforcer})`);
  await clusterScript(enforcer === 'none' ? ['up'] : ['up', '--enforcer', enforcer], dir);
  const cluster = new Cluster(await clusterEnv(dir));
  try {
    const images = await loadImages(cluster, ['kguardian-broker', 'kguardian-evaluator', 'kguardian-agent', 'postgres', 'agnhost', 'pause']);
    for (const t of await tagSuiteImages(cluster, e2eTest, images)) say(`image ${t}`);
    say('installing kguardian');
    await installKguardian(cluster, images, '/sys/fs/cgroup/unified');
    const broker = await brokerReader(cluster);
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.env.KUBECONFIG);
    const recorder = new TimelineRecorder(kc);
    await recorder.start();
    const since = new Date();
    const t1 = Date.now();
    say(`running e2e.test --ginkgo.focus=${o.focus}${(o.processes ?? 1) > 1 ? ` in ${o.processes} processes` : ''} (logs: ${o.outDir}/e2e*.log)`);
    const { exitCode, suite } = await runSuite(e2eTest, cluster.env.KUBECONFIG, o);
    const t2 = Date.now();
    say(`suite: ${suite.passed} passed, ${suite.failed} failed, ${suite.skipped} skipped in ${Math.round((t2 - t1) / 1000)}s (exit ${exitCode})`);
    const namespaces = suiteNamespaces(recorder.events);
    const rows = await settledFlows(broker, since, namespaces, 10_000);
    recorder.stop();
    if (recorder.failure) throw new Error(recorder.failure);
    // The raw material, so that a run can be judged again (npx tsx, compareProbes) without the cluster.
    await writeFile(join(o.outDir, 'flows.json'), JSON.stringify(rows));
    await writeFile(join(o.outDir, 'timeline.json'), JSON.stringify(recorder.events));
    const scope = { namespaces, ports: PORTS, protocols: PROTOCOLS };
    const comparison = compareProbes(rows, new TimelineReplay(recorder.events), scope);
    const perSpec = suite.specs.map((s) => ({
      name: s.name, state: s.state, seconds: s.seconds,
      agreement: summarise({
        judged: comparison.judged.filter((j) => inSpec(j.row, s)),
        unjudged: comparison.unjudged.filter((u) => inSpec(u.row, s)),
      }),
    }));
    return {
      enforcer, suite, exitCode, comparison, perSpec, clusterDir: dir,
      agreement: summarise(comparison),
      seconds: { setup: Math.round((t1 - t0) / 1000), suite: Math.round((t2 - t1) / 1000), judge: Math.round((Date.now() - t2) / 1000) },
    };
  } finally {
    if (!o.keepCluster) await clusterScript(['down'], dir);
  }
}

/** Whether a probe row belongs to a spec: made from one of its namespaces (else, made while it ran). */
function inSpec(row: FlowRow, s: { start: number; end: number; namespaces: string[] }): boolean {
  if (s.namespaces.length > 0) return row.src.namespace !== undefined && s.namespaces.includes(row.src.namespace);
  const t = Date.parse(row.firstSeen);
  return t >= s.start && t <= s.end;
}
