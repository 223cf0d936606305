/**
 * `audit promote-cluster` against the real API server: namespace discovery from
 * spec.namespaceSelector, a namespace that stops matching after a relabel (and the warning
 * about the NetworkPolicy left there), explicit targets (with the warning for one the
 * selector does not match), the safety gate, -o name, --apply --delete-audit, and --apply over an
 * existing NetworkPolicy of the same name from another source (refused unless --overwrite; --force is
 * for the safety gate only).
 */
import { randomBytes } from 'node:crypto';
import { ApiException, CustomObjectsApi, NetworkingV1Api, type KubeConfig } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kubeConfig, kubeconfigPath, kubectl } from '../../test/kube/client.js';
import { installCrds } from '../../test/kube/crds.js';
import { createTestNamespace } from '../../test/kube/namespace.js';
import { GROUP, VERSION } from '../../contracts/audit-policy-api.js';
import { ACNP, ANP, type AuditPolicy } from '../kube/objects.js';
import { cli, createAudit, evaluatedStatus, patchAudit, writeStatus } from '../testing/test-cluster.js';
import type { NetworkPolicyObject } from '../promote/strip.js';

let kc: KubeConfig;
/** A label value unique to each test, so namespaces of other tests never match. */
let team: string;
let name: string;

const run = (args: string[]): ReturnType<typeof cli> => cli(kubeconfigPath(), args);

function docs(text: string): NetworkPolicyObject[] {
  return yaml.loadAll(text) as NetworkPolicyObject[];
}

async function acnp(opts: Parameters<typeof evaluatedStatus>[1] = {}): Promise<AuditPolicy> {
  const p = await createAudit(kc, ACNP, {
    metadata: { name, labels: { owner: 'platform' } },
    spec: { namespaceSelector: { matchLabels: { team } }, podSelector: {}, policyTypes: ['Ingress'] },
  });
  return writeStatus(kc, ACNP, p, evaluatedStatus(p.metadata.generation ?? 1, opts));
}

async function relabel(ns: string, labels: Record<string, string | null>): Promise<void> {
  await kubectl(['label', 'namespace', ns, '--overwrite', ...Object.entries(labels).map(([k, v]) => (v === null ? `${k}-` : `${k}=${v}`))]);
}

beforeAll(async () => {
  kc = kubeConfig();
  await installCrds(kc);
});

beforeEach(() => {
  const id = randomBytes(3).toString('hex');
  team = `t-${id}`;
  name = `default-deny-${id}`;
});

describe('audit promote-cluster', () => {
  it('emits one NetworkPolicy per matching namespace, without namespaceSelector, labelled with its source', async () => {
    const a = await createTestNamespace(kc, 'pc', { team });
    const b = await createTestNamespace(kc, 'pc', { team });
    await createTestNamespace(kc, 'pc', { team: 'someone-else' });
    const source = await acnp();
    const r = await run(['audit', 'promote-cluster', name]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = docs(r.out);
    expect(out.map((np) => np.metadata.namespace)).toEqual([a, b].sort());
    for (const np of out) {
      expect(np.metadata).toEqual({
        name,
        namespace: np.metadata.namespace,
        labels: { owner: 'platform', 'kguardian.dev/promoted-from-acnp': name },
        annotations: { 'kguardian.dev/promoted-from': `AuditClusterNetworkPolicy/${name}@${source.metadata.generation ?? 0}` },
      });
      expect(np.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    }
    const applied = await kubectl(['apply', '--dry-run=server', '-f', '-'], r.out);
    expect(applied.code).toBe(0);
  });

  it('follows a namespace that stops matching after a relabel, and points at the policy left there', async () => {
    const a = await createTestNamespace(kc, 'pc', { team });
    const b = await createTestNamespace(kc, 'pc', { team });
    await acnp();
    const first = await run(['audit', 'promote-cluster', name, '--apply']);
    expect(first.code).toBe(0);
    await relabel(b, { team: null });
    const second = await run(['audit', 'promote-cluster', name]);
    expect(second.code).toBe(0);
    expect(docs(second.out).map((np) => np.metadata.namespace)).toEqual([a]);
    expect(second.err).toBe(
      `warning: NetworkPolicy ${b}/${name} was promoted from ${name} earlier, but namespace ${b} is no longer a target; remove it with: kubectl delete networkpolicy -n ${b} -l kguardian.dev/promoted-from-acnp=${name}\n`,
    );
  });

  it('promotes into explicit targets only, warning about one the selector does not match', async () => {
    const a = await createTestNamespace(kc, 'pc', { team });
    await createTestNamespace(kc, 'pc', { team });
    const other = await createTestNamespace(kc, 'pc');
    await acnp();
    const r = await run(['audit', 'promote-cluster', name, '--target-namespace', a, '--target-namespace', other]);
    expect(r.code).toBe(0);
    expect(docs(r.out).map((np) => np.metadata.namespace)).toEqual([a, other]);
    expect(r.err).toBe(`warning: --target-namespace ${other} is not matched by spec.namespaceSelector team=${team}; promoting there anyway, as asked\n`);
  });

  it('-o name prints networkpolicy.networking.k8s.io/NAME once per produced policy, with --apply too', async () => {
    await createTestNamespace(kc, 'pc', { team });
    await createTestNamespace(kc, 'pc', { team });
    await acnp();
    const line = `networkpolicy.networking.k8s.io/${name}\n`;
    const r = await run(['audit', 'promote-cluster', name, '-o', 'name']);
    expect(r).toEqual({ code: 0, out: line + line, err: '' });
    const applied = await run(['audit', 'promote-cluster', name, '-o', 'name', '--apply', '--dry-run']);
    expect(applied).toEqual({ code: 0, out: line + line, err: '' });
  });

  it('says so when no namespace matches', async () => {
    await acnp();
    const r = await run(['audit', 'promote-cluster', name]);
    expect(r).toEqual({ code: 0, out: '', err: `No namespace matches spec.namespaceSelector team=${team}: nothing to promote. Name targets with --target-namespace.\n` });
  });

  it('refuses (exit 4) when the policy would deny flows, and --force overrides', async () => {
    await createTestNamespace(kc, 'pc', { team });
    await acnp({ wouldDeny: 2 });
    const refused = await run(['audit', 'promote-cluster', name]);
    expect(refused.code).toBe(4);
    expect(refused.err).toContain(`error: refusing to promote AuditClusterNetworkPolicy ${name}:\n  - 2 flows in the last 15m would be denied\n  See why: kubectl kguardian describe kgacnp ${name}\n`);
    expect((await run(['audit', 'promote-cluster', name, '--force'])).code).toBe(0);
  });

  it('--apply --delete-audit enforces in every target and then deletes the cluster policy', async () => {
    const a = await createTestNamespace(kc, 'pc', { team });
    const b = await createTestNamespace(kc, 'pc', { team });
    await acnp();
    const r = await run(['audit', 'promote-cluster', name, '--apply', '--delete-audit']);
    expect(r.err).toBe('');
    expect(r.out).toBe(
      [
        // Namespaces in name order.
        ...[a, b].sort().map((ns) => `networkpolicy.networking.k8s.io/${name} serverside-applied in namespace ${ns}`),
        `auditclusternetworkpolicy.kguardian.dev/${name} deleted`,
        '',
      ].join('\n'),
    );
    const net = kc.makeApiClient(NetworkingV1Api);
    for (const ns of [a, b]) expect((await net.readNamespacedNetworkPolicy({ namespace: ns, name })).metadata?.labels?.['kguardian.dev/promoted-from-acnp']).toBe(name);
    const code = await kc
      .makeApiClient(CustomObjectsApi)
      .getClusterCustomObject({ group: GROUP, version: VERSION, plural: ACNP.plural, name })
      .then(() => 200, (e: unknown) => (e instanceof ApiException ? e.code : -1));
    expect(code).toBe(404);
  });

  describe('--apply over an existing NetworkPolicy of the same name', () => {
    const net = (): NetworkingV1Api => kc.makeApiClient(NetworkingV1Api);
    const promotedFrom = async (ns: string): Promise<string | undefined> => (await net().readNamespacedNetworkPolicy({ namespace: ns, name })).metadata?.annotations?.['kguardian.dev/promoted-from'];

    it('refuses (exit 4, nothing applied) one promoted from an AuditNetworkPolicy of that name, and --overwrite replaces it', async () => {
      const a = await createTestNamespace(kc, 'pc', { team });
      const b = await createTestNamespace(kc, 'pc', { team });
      const anp = await createAudit(kc, ANP, { metadata: { name, namespace: b }, spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] } });
      await writeStatus(kc, ANP, anp, evaluatedStatus(anp.metadata.generation ?? 1));
      expect((await run(['audit', 'promote', name, '-n', b, '--apply'])).code).toBe(0);
      const source = await acnp();

      for (const extra of [[], ['--dry-run']]) {
        const refused = await run(['audit', 'promote-cluster', name, '--apply', ...extra]);
        expect(refused.code).toBe(4);
        expect(refused.out).toBe('');
        expect(refused.err).toBe(
          `error: refusing to apply: NetworkPolicy ${b}/${name} already exists and it was promoted from AuditNetworkPolicy/${b}/${name}@1 (kguardian.dev/promoted-from), not from AuditClusterNetworkPolicy/${name}; see it with: kubectl get networkpolicy ${name} -n ${b} -o yaml\n` +
            'Nothing was applied. Rename or remove the existing NetworkPolicy, or pass --overwrite to replace it (with --force-conflicts too when another field manager set its fields).\n',
        );
      }
      // All or nothing: the namespace without a clash got nothing either, and the clash is untouched.
      expect((await net().listNamespacedNetworkPolicy({ namespace: a })).items).toEqual([]);
      expect(await promotedFrom(b)).toBe(`AuditNetworkPolicy/${b}/${name}@1`);

      expect((await run(['audit', 'promote-cluster', name, '--apply', '--force'])).code).toBe(4);
      const forced = await run(['audit', 'promote-cluster', name, '--apply', '--overwrite']);
      expect(forced.code).toBe(0);
      expect(forced.err).toContain(`warning: replacing (--overwrite): NetworkPolicy ${b}/${name} already exists and it was promoted from AuditNetworkPolicy/${b}/${name}@1`);
      for (const ns of [a, b]) expect(await promotedFrom(ns)).toBe(`AuditClusterNetworkPolicy/${name}@${source.metadata.generation ?? 0}`);
    });

    it('refuses one written by someone else (no promoted-from annotation), even where server-side apply would see no conflict', async () => {
      const a = await createTestNamespace(kc, 'pc', { team });
      // Only a podSelector: kguardian's apply would merge its policyTypes in without any field conflict.
      const theirs = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: a }, spec: { podSelector: {} } };
      expect((await kubectl(['apply', '--server-side', '--field-manager', 'alice', '-f', '-'], JSON.stringify(theirs))).code).toBe(0);
      await acnp();
      const refused = await run(['audit', 'promote-cluster', name, '--apply']);
      expect(refused.code).toBe(4);
      expect(refused.err).toContain(`error: refusing to apply: NetworkPolicy ${a}/${name} already exists and it was not promoted by kguardian (no kguardian.dev/promoted-from annotation)`);
      const np = await net().readNamespacedNetworkPolicy({ namespace: a, name });
      expect(np.metadata?.managedFields?.map((f) => f.manager)).toEqual(['alice']);
    });

    it('re-applies over its own earlier promotion, also after the cluster policy was edited', async () => {
      const a = await createTestNamespace(kc, 'pc', { team });
      const first = await acnp();
      expect((await run(['audit', 'promote-cluster', name, '--apply'])).code).toBe(0);
      const edited = await patchAudit(kc, ACNP, first, { spec: { policyTypes: ['Ingress', 'Egress'] } });
      await writeStatus(kc, ACNP, edited, evaluatedStatus(edited.metadata.generation ?? 0));
      const again = await run(['audit', 'promote-cluster', name, '--apply']);
      expect(again.err).toBe('');
      expect(again.code).toBe(0);
      expect(await promotedFrom(a)).toBe(`AuditClusterNetworkPolicy/${name}@${edited.metadata.generation ?? 0}`);
      expect(edited.metadata.generation).toBe(2);
    });
  });

  it('reports a missing cluster policy by name', async () => {
    const r = await run(['audit', 'promote-cluster', 'nope']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: AuditClusterNetworkPolicy "nope" not found (context kg). List them with 'kubectl get kgacnp'.\n`);
  });
});

