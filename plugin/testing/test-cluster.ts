/**
 * Test helpers for the plugin's integration tests (imported by *.int.test.ts only): audit
 * objects created and given a status as the evaluator would write it (through the status
 * subresource), kubeconfigs for a ServiceAccount or an unreachable server, a private control
 * plane for tests that need a cluster without the CRDs, and running the CLI in-process.
 */
/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- test helper: client-node model classes written as object literals, as in the tests */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';
import { GROUP, VERSION } from '../../contracts/audit-policy-api.js';
import { type AuditPolicy, type AuditResource, type AuditStatus, type Offender } from '../kube/objects.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `kubectl kguardian ARGS` in-process against the kubeconfig at path. */
export async function cli(kubeconfig: string, args: readonly string[], cwd?: string): Promise<CliRun> {
  const io = memoryIO('', cwd);
  const code = await runCli(['--kubeconfig', kubeconfig, ...args], io);
  return { code, out: io.out(), err: io.err() };
}

export async function createAudit(kc: KubeConfig, res: AuditResource, body: { metadata: AuditPolicy['metadata']; spec: Record<string, unknown> }): Promise<AuditPolicy> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const full = { apiVersion: `${GROUP}/${VERSION}`, kind: res.kind, ...body };
  const base = { group: GROUP, version: VERSION, plural: res.plural, body: full };
  const ns = body.metadata.namespace;
  const created: unknown = ns && res.namespaced ? await api.createNamespacedCustomObject({ ...base, namespace: ns }) : await api.createClusterCustomObject(base);
  return created as AuditPolicy;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Merge-patches the object (a spec edit moves metadata.generation). */
export async function patchAudit(kc: KubeConfig, res: AuditResource, p: AuditPolicy, body: object): Promise<AuditPolicy> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const base = { group: GROUP, version: VERSION, plural: res.plural, name: p.metadata.name, body };
  const ns = p.metadata.namespace;
  const out: unknown = ns ? await api.patchNamespacedCustomObject({ ...base, namespace: ns }, mergePatch) : await api.patchClusterCustomObject(base, mergePatch);
  return out as AuditPolicy;
}

/** Writes status through the status subresource, as the evaluator does. */
export async function writeStatus(kc: KubeConfig, res: AuditResource, p: AuditPolicy, status: AuditStatus): Promise<AuditPolicy> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const base = { group: GROUP, version: VERSION, plural: res.plural, name: p.metadata.name, body: { status } };
  const ns = p.metadata.namespace;
  const out: unknown = ns ? await api.patchNamespacedCustomObjectStatus({ ...base, namespace: ns }, mergePatch) : await api.patchClusterCustomObjectStatus(base, mergePatch);
  return out as AuditPolicy;
}

export function isoAgo(ms: number, now = Date.now()): string {
  return new Date(now - ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The status the evaluator writes once it has evaluated `generation`. */
export function evaluatedStatus(generation: number, opts: { wouldDeny?: number; window?: string; allowed?: number; offenders?: Offender[]; degraded?: string } = {}): AuditStatus {
  const now = isoAgo(5 * 60_000); // five minutes ago: ages print as "5m" however long the test takes
  const wouldDeny = opts.wouldDeny ?? 0;
  const allowed = opts.allowed ?? 40;
  const conditions: NonNullable<AuditStatus['conditions']> = [
    { type: 'Ready', status: 'True', observedGeneration: generation, lastTransitionTime: now, reason: 'Compiled', message: 'The spec compiled and is evaluated.' },
    { type: 'Synced', status: 'True', observedGeneration: generation, lastTransitionTime: now, reason: 'Evaluated', message: 'The evaluation reflects the current spec.' },
  ];
  if (opts.degraded) conditions.push({ type: 'Degraded', status: 'True', observedGeneration: generation, lastTransitionTime: now, reason: 'PeerIdentityUnknown', message: opts.degraded });
  return {
    observedGeneration: generation,
    conditions,
    evaluation: {
      window: opts.window ?? '15m',
      lastEvaluated: now,
      flowsEvaluated: allowed + wouldDeny,
      flowsAllowed: allowed,
      flowsWouldDeny: wouldDeny,
      topOffenders: opts.offenders ?? [],
    },
  };
}

/** A kubeconfig file for ServiceAccount NAMESPACE/NAME (a fresh token), on the same server as kc. */
export async function serviceAccountKubeconfig(kc: KubeConfig, namespace: string, name: string): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  const token = await core.createNamespacedServiceAccountToken({ namespace, name, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const sa = new KubeConfig();
  sa.loadFromOptions({
    clusters: [cluster],
    users: [{ name, token: token.status?.token ?? '' }],
    contexts: [{ name: 'sa', cluster: cluster.name, user: name, namespace }],
    currentContext: 'sa',
  });
  return writeKubeconfig(sa.exportConfig());
}

export function writeKubeconfig(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'kg-plugin-kc-')), 'kubeconfig');
  writeFileSync(path, text);
  return path;
}

/** A kubeconfig whose server nothing listens on. */
export function unreachableKubeconfig(): string {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'gone', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u', token: 'x' }],
    contexts: [{ name: 'gone', cluster: 'gone', user: 'u' }],
    currentContext: 'gone',
  });
  return writeKubeconfig(kc.exportConfig());
}

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'controlplane.sh');

/** A second, empty control plane (no CRDs) of this test file's own; stop() removes it. */
export async function privateControlPlane(): Promise<{ kubeconfig: string; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kg-plugin-cp-'));
  const { stdout } = await run('bash', [SCRIPT, 'start', '--dir', dir, '--exit-with-pid', String(process.pid)]);
  const kubeconfig = stdout.trim().split('\n').at(-1) ?? '';
  return {
    kubeconfig,
    stop: async () => {
      await run('bash', [SCRIPT, 'stop', '--dir', dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
