/**
 * `audit test -f` and the real API server agree on field names, for all three kinds (the
 * NetworkPolicy kind is networking.k8s.io/v1's, whose field set is not in crds/): each misspelt
 * document is refused by `kubectl apply --dry-run=server` with "unknown field" and by `audit test`
 * naming the same path, and a document that uses every field of its kind passes both.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubeConfig, kubectl } from '../../test/kube/client.js';
import { installCrds } from '../../test/kube/crds.js';
import { createTestNamespace } from '../../test/kube/namespace.js';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'audit-test', 'payments');

let kc: KubeConfig;
let ns: string;

beforeAll(async () => {
  kc = kubeConfig();
  await installCrds(kc);
  ns = await createTestNamespace(kc, 'strict');
});

const KINDS = [
  { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', namespaced: true },
  { kind: 'AuditNetworkPolicy', apiVersion: 'kguardian.dev/v1alpha1', namespaced: true },
  { kind: 'AuditClusterNetworkPolicy', apiVersion: 'kguardian.dev/v1alpha1', namespaced: false },
] as const;

/** Every field of the spec at least once (the cluster kind adds namespaceSelector). */
function fullSpec(cluster: boolean): Record<string, unknown> {
  const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] };
  return {
    ...(cluster ? { namespaceSelector: selector } : {}),
    podSelector: selector,
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ podSelector: selector, namespaceSelector: selector }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 80, endPort: 90 }] }],
    egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 'dns' }] }],
  };
}

function doc(k: (typeof KINDS)[number], name: string, spec: Record<string, unknown>, meta: Record<string, unknown> = {}): string {
  const metadata = { name, ...(k.namespaced ? { namespace: ns } : {}), labels: { team: 'a' }, annotations: { note: 'x' }, ...meta };
  return JSON.stringify({ apiVersion: k.apiVersion, kind: k.kind, metadata, spec });
}

async function auditTest(text: string): Promise<{ code: number; err: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'kg-strict-'));
  writeFileSync(join(dir, 'p.yaml'), text);
  const io = memoryIO('', dir);
  const code = await runCli(['audit', 'test', '-f', 'p.yaml', '--cluster', join(EXAMPLE, 'cluster.yaml'), '--flows', join(EXAMPLE, 'flows.jsonl')], io);
  return { code, err: io.err() };
}

const TYPOS: readonly { title: string; spec: (s: Record<string, unknown>) => Record<string, unknown>; meta?: Record<string, unknown>; field: string }[] = [
  { title: 'podSelectr', spec: ({ podSelector, ...s }) => ({ ...s, podSelectr: podSelector }), field: 'spec.podSelectr' },
  { title: 'matchLables', spec: (s) => ({ ...s, podSelector: { matchLables: { app: 'web' } } }), field: 'spec.podSelector.matchLables' },
  { title: 'ingres', spec: ({ ingress, ...s }) => ({ ...s, ingres: ingress }), field: 'spec.ingres' },
  { title: 'a port field', spec: (s) => ({ ...s, egress: [{ ports: [{ protocol: 'TCP', prot: 53 }] }] }), field: 'spec.egress[0].ports[0].prot' },
  { title: 'an ipBlock field', spec: (s) => ({ ...s, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', exept: ['10.1.0.0/16'] } }] }] }), field: 'spec.ingress[0].from[0].ipBlock.exept' },
  { title: 'a metadata field', spec: (s) => s, meta: { lables: { a: 'b' } }, field: 'metadata.lables' },
];

describe('audit test -f and the API server agree on unknown fields', () => {
  it.each(KINDS)('$kind: a document using every field passes both', async (k) => {
    const text = doc(k, 'full', fullSpec(k.kind === 'AuditClusterNetworkPolicy'));
    const server = await kubectl(['apply', '--dry-run=server', '-f', '-'], text);
    expect(server.stderr).toBe('');
    expect(server.code).toBe(0);
    const cli = await auditTest(text);
    expect(cli.err).toBe('');
    expect(cli.code).toBe(0);
  });

  const rows = KINDS.flatMap((k) => TYPOS.map((t) => ({ k, kind: k.kind, ...t })));
  it.each(rows)('$kind: $title is refused by both, naming $field', async ({ k, spec, meta, field }) => {
    const text = doc(k, 'typo', spec(fullSpec(k.kind === 'AuditClusterNetworkPolicy')), meta);
    const server = await kubectl(['apply', '--dry-run=server', '-f', '-'], text);
    expect(server.code).not.toBe(0);
    expect(server.stderr).toContain(`unknown field "${field}"`);
    const cli = await auditTest(text);
    expect(cli.code).toBe(2);
    expect(cli.err).toContain(`p.yaml, document 1 (line 1): ${field}: unknown field`);
  });
});
