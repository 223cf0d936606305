/**
 * `audit promote` against the real API server: golden output for a synced quiet policy, the
 * safety gate (lag, would-deny, --force, --min-quiet), output that the real kubectl applies
 * (server dry run), -o name, --apply with --dry-run and --delete-audit, and the errors a user meets
 * (not found, forbidden, unreachable). `--all -A` and the missing-CRD case run on a private
 * control plane, where no other test's policies or CRDs exist.
 */
import { readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, AuthorizationV1Api, CustomObjectsApi, NetworkingV1Api, RbacAuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kubeConfig, kubeconfigPath, kubectl } from '../../test/kube/client.js';
import { installCrds } from '../../test/kube/crds.js';
import { createTestNamespace } from '../../test/kube/namespace.js';
import { GROUP, VERSION } from '../../contracts/audit-policy-api.js';
import { ANP, type AuditPolicy } from '../kube/objects.js';
import { cli, createAudit, evaluatedStatus, patchAudit, privateControlPlane, serviceAccountKubeconfig, unreachableKubeconfig, writeStatus } from '../testing/test-cluster.js';
import { toNetworkPolicy } from '../promote/strip.js';

const SPEC = {
  podSelector: { matchLabels: { app: 'payments' } },
  policyTypes: ['Ingress', 'Egress'],
  ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
  egress: [{ to: [{ podSelector: { matchLabels: { app: 'postgres' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
};

const META = {
  labels: { team: 'payments' },
  annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"AuditNetworkPolicy"}', 'example.com/owner': 'alice' },
};

let kc: KubeConfig;
let ns: string;

async function synced(name: string, namespace: string, opts: Parameters<typeof evaluatedStatus>[1] = {}): Promise<AuditPolicy> {
  const p = await createAudit(kc, ANP, { metadata: { name, namespace, ...META }, spec: SPEC });
  return writeStatus(kc, ANP, p, evaluatedStatus(p.metadata.generation ?? 1, opts));
}

const run = (args: string[], cwd?: string): ReturnType<typeof cli> => cli(kubeconfigPath(), args, cwd);

beforeAll(async () => {
  kc = kubeConfig();
  await installCrds(kc);
});

beforeEach(async () => {
  ns = await createTestNamespace(kc, 'promote');
});

describe('audit promote NAME', () => {
  it('prints the NetworkPolicy of a synced, quiet policy (golden)', async () => {
    await synced('payments', ns);
    const r = await run(['audit', 'promote', 'payments', '-n', ns]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    await expect(r.out.replaceAll(ns, 'NAMESPACE')).toMatchFileSnapshot('__golden__/promote.synced.yaml');
  });

  it('prints JSON with -o json, equal to the YAML', async () => {
    await synced('payments', ns);
    const asJson = await run(['audit', 'promote', 'payments', '-n', ns, '-o', 'json']);
    const asYaml = await run(['audit', 'promote', 'payments', '-n', ns]);
    expect(JSON.parse(asJson.out)).toEqual(yaml.load(asYaml.out));
  });

  it('takes the namespace from the context when -n is not given', async () => {
    await synced('payments', ns);
    const sa = await serviceAccountKubeconfig(kc, ns, 'promoter'); // its context's namespace is ns
    await grant(ns, 'promoter', ['get']);
    const r = await cli(sa, ['audit', 'promote', 'payments']);
    expect(r.err).toBe('');
    expect((yaml.load(r.out) as { metadata: { namespace: string } }).metadata.namespace).toBe(ns);
  });
});

describe('the safety gate', () => {
  it.each([
    {
      title: 'observedGeneration lags generation after a spec edit',
      setup: async (): Promise<void> => {
        const p = await synced('payments', ns);
        await patchAudit(kc, ANP, p, { spec: { podSelector: { matchLabels: { app: 'payments-v2' } } } });
      },
      message: 'status.observedGeneration 1 lags metadata.generation 2',
    },
    { title: 'no status yet', setup: async (): Promise<void> => {
        await createAudit(kc, ANP, { metadata: { name: 'payments', namespace: ns }, spec: SPEC });
      }, message: 'has not evaluated it yet' },
    { title: 'would-deny flows in the window', setup: async (): Promise<void> => {
        await synced('payments', ns, { wouldDeny: 3 });
      }, message: '3 flows in the last 15m would be denied' },
  ])('refuses with exit 4 when $title, and --force overrides', async ({ setup, message }) => {
    await setup();
    const refused = await run(['audit', 'promote', 'payments', '-n', ns]);
    expect(refused.code).toBe(4);
    expect(refused.out).toBe('');
    expect(refused.err).toContain(`error: refusing to promote AuditNetworkPolicy ${ns}/payments:`);
    expect(refused.err).toContain(message);
    expect(refused.err).toContain(`See why: kubectl kguardian describe payments -n ${ns}`);
    expect(refused.err).toContain('--force promotes anyway');

    const forced = await run(['audit', 'promote', 'payments', '-n', ns, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.err).toContain('despite (--force)');
    expect((yaml.load(forced.out) as { kind: string }).kind).toBe('NetworkPolicy');
  });

  it('refuses (exit 4) a policy whose window evaluated 0 flows: --force is not enough, --allow-untested promotes it', async () => {
    await synced('idle', ns, { allowed: 0 });
    const refused = await run(['audit', 'promote', 'idle', '-n', ns]);
    expect(refused.code).toBe(4);
    expect(refused.out).toBe('');
    expect(refused.err).toContain('  - 0 flows evaluated in the last 15m: nothing was tested (no traffic reached the pods it selects)\n');
    expect(refused.err).toContain('Nothing was printed, written or applied. --allow-untested promotes anyway.\n');
    const forced = await run(['audit', 'promote', 'idle', '-n', ns, '--force']);
    expect(forced.code).toBe(4);
    const allowed = await run(['audit', 'promote', 'idle', '-n', ns, '--allow-untested']);
    expect(allowed.code).toBe(0);
    expect(allowed.err).toContain(`warning: promoting AuditNetworkPolicy ${ns}/idle despite (--allow-untested): 0 flows evaluated in the last 15m: nothing was tested`);
    expect((yaml.load(allowed.out) as { kind: string }).kind).toBe('NetworkPolicy');
  });

  // With a broker: promote-min-quiet.int.test.ts.
  it('--min-quiet with no broker installed refuses (exit 4) with the next step, even with a 24h window', async () => {
    await synced('payments', ns, { window: '24h' });
    const r = await run(['audit', 'promote', 'payments', '-n', ns, '--min-quiet', '24h', '--broker-namespace', ns]);
    expect(r.code).toBe(4);
    expect(r.err).toContain(`--min-quiet 24h is judged from the broker's verdict history, which could not be read: broker service ${ns}/kguardian-broker not found`);
  });

  it('--all -l promotes only the policies with those labels', async () => {
    await synced('payments', ns); // labelled team=payments
    await createAudit(kc, ANP, { metadata: { name: 'unlabelled', namespace: ns }, spec: SPEC }); // never evaluated: would be refused
    const r = await run(['audit', 'promote', '--all', '-n', ns, '-l', 'team=payments']);
    expect(r.code).toBe(0);
    // --all prints a List even when one policy matched.
    expect((yaml.load(r.out) as { kind: string; items: { metadata: { name: string } }[] }).items.map((d) => d.metadata.name)).toEqual(['payments']);
    const asJson = await run(['audit', 'promote', '--all', '-n', ns, '-l', 'team=payments', '-o', 'json']);
    expect((JSON.parse(asJson.out) as { kind: string }).kind).toBe('List');
    const none = await run(['audit', 'promote', '--all', '-n', ns, '-l', 'team=nobody']);
    expect(none).toEqual({ code: 0, out: '', err: `No AuditNetworkPolicies found in namespace ${ns} with labels team=nobody.\n` });
  });

  it('--all refuses the whole batch when one policy is unsafe', async () => {
    await synced('quiet', ns);
    await synced('noisy', ns, { wouldDeny: 1 });
    const r = await run(['audit', 'promote', '--all', '-n', ns]);
    expect(r.code).toBe(4);
    expect(r.out).toBe('');
    expect(r.err).toContain('1 of 2 policies refused; nothing was printed, written or applied');
  });
});

describe('piping into kubectl', () => {
  it.each([{ format: 'yaml' }, { format: 'json' }])('kubectl apply --dry-run=server -f - accepts two policies as $format', async ({ format }) => {
    await synced('payments', ns);
    await synced('ledger', ns);
    const r = await run(['audit', 'promote', '--all', '-n', ns, '-o', format]);
    expect(r.code).toBe(0);
    const applied = await kubectl(['apply', '--dry-run=server', '-f', '-'], r.out);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toBe('networkpolicy.networking.k8s.io/ledger created (server dry run)\nnetworkpolicy.networking.k8s.io/payments created (server dry run)\n');
  });
});

describe('-o name', () => {
  it('prints networkpolicy.networking.k8s.io/NAME per policy, as kubectl get -o name names them once applied', async () => {
    await synced('payments', ns);
    await synced('ledger', ns);
    const r = await run(['audit', 'promote', '--all', '-n', ns, '-o', 'name']);
    expect(r).toEqual({ code: 0, out: 'networkpolicy.networking.k8s.io/ledger\nnetworkpolicy.networking.k8s.io/payments\n', err: '' });
    const applied = await run(['audit', 'promote', '--all', '-n', ns, '-o', 'name', '--apply', '--delete-audit']);
    expect(applied.code).toBe(0);
    expect(applied.out).toBe(r.out);
    // Only names on stdout; the audit objects' deletion is reported on stderr.
    expect(applied.err).toBe(`auditnetworkpolicy.kguardian.dev/ledger deleted in namespace ${ns}\nauditnetworkpolicy.kguardian.dev/payments deleted in namespace ${ns}\n`);
    const got = await kubectl(['get', 'networkpolicy', '-n', ns, '-o', 'name']);
    expect(got.stdout).toBe(r.out);
  });

  it('prints nothing when the safety gate refuses', async () => {
    await synced('noisy', ns, { wouldDeny: 1 });
    const r = await run(['audit', 'promote', 'noisy', '-n', ns, '-o', 'name']);
    expect(r.code).toBe(4);
    expect(r.out).toBe('');
  });
});

describe('--apply', () => {
  const net = (): NetworkingV1Api => kc.makeApiClient(NetworkingV1Api);

  it('--dry-run validates on the server and stores nothing', async () => {
    await synced('payments', ns);
    const r = await run(['audit', 'promote', 'payments', '-n', ns, '--apply', '--delete-audit', '--dry-run']);
    expect(r.err).toBe('');
    expect(r.out).toBe(`networkpolicy.networking.k8s.io/payments serverside-applied in namespace ${ns} (server dry run)\nauditnetworkpolicy.kguardian.dev/payments deleted in namespace ${ns} (server dry run)\n`);
    expect((await net().listNamespacedNetworkPolicy({ namespace: ns })).items).toEqual([]);
    await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: ANP.plural, namespace: ns, name: 'payments' });
  });

  it('applies server-side as field manager kguardian, then deletes the audit object', async () => {
    const source = await synced('payments', ns);
    const r = await run(['audit', 'promote', 'payments', '-n', ns, '--apply', '--delete-audit']);
    expect(r.code).toBe(0);
    const np = await net().readNamespacedNetworkPolicy({ namespace: ns, name: 'payments' });
    expect(np.metadata?.managedFields?.map((f) => [f.manager, f.operation])).toEqual([['kguardian', 'Apply']]);
    expect(np.metadata?.annotations).toEqual(toNetworkPolicy(source).metadata.annotations);
    expect(np.metadata?.labels).toEqual(META.labels);
    // The rule's peers arrive: client-node's model names `from` `_from`, and a plain `from` was once dropped.
    expect(np.spec?.ingress?.map((r) => r._from?.map((peer) => peer.podSelector?.matchLabels))).toEqual([[{ tier: 'frontend' }]]);
    const gone = await kc
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: ANP.plural, namespace: ns, name: 'payments' })
      .then(() => 200, (e: unknown) => (e instanceof ApiException ? e.code : -1));
    expect(gone).toBe(404);
  });

  it('reports a field conflict with an existing NetworkPolicy, and --force-conflicts takes the fields over', async () => {
    await synced('payments', ns);
    // Promoted from this very policy earlier, then edited by hand with kubectl: the source matches, a field conflicts.
    const existing = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'payments', namespace: ns, annotations: { 'kguardian.dev/promoted-from': `AuditNetworkPolicy/${ns}/payments@1` } },
      spec: { podSelector: { matchLabels: { app: 'other' } } },
    };
    expect((await kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify(existing))).code).toBe(0);
    const conflict = await run(['audit', 'promote', 'payments', '-n', ns, '--apply', '--delete-audit']);
    expect(conflict.code).toBe(1);
    expect(conflict.err).toContain(`error: NetworkPolicy ${ns}/payments already exists and other field managers set some of its fields to other values: `);
    expect(conflict.err).toContain('--force-conflicts takes the fields over');
    const audit = { group: GROUP, version: VERSION, plural: ANP.plural, namespace: ns, name: 'payments' };
    await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject(audit); // not deleted
    const forced = await run(['audit', 'promote', 'payments', '-n', ns, '--apply', '--force-conflicts']);
    expect(forced.code).toBe(0);
    expect((await net().readNamespacedNetworkPolicy({ namespace: ns, name: 'payments' })).spec?.podSelector?.matchLabels).toEqual({ app: 'payments' });
  });

  it.each([
    { title: 'promoted from an AuditClusterNetworkPolicy of that name', annotations: { 'kguardian.dev/promoted-from': 'AuditClusterNetworkPolicy/payments@3' }, whose: 'it was promoted from AuditClusterNetworkPolicy/payments@3 (kguardian.dev/promoted-from), not from AuditNetworkPolicy/NS/payments' },
    { title: 'written by someone else', annotations: {}, whose: 'it was not promoted by kguardian (no kguardian.dev/promoted-from annotation)' },
  ])('refuses (exit 4) to take over an existing NetworkPolicy $title, --force does not change that, --overwrite replaces it', async ({ annotations, whose }) => {
    await synced('payments', ns);
    const theirs = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'payments', namespace: ns, annotations }, spec: { podSelector: {} } };
    expect((await kubectl(['apply', '--server-side', '--field-manager', 'alice', '-f', '-'], JSON.stringify(theirs))).code).toBe(0);
    const refused = await run(['audit', 'promote', 'payments', '-n', ns, '--apply', '--delete-audit']);
    expect(refused.code).toBe(4);
    expect(refused.out).toBe('');
    expect(refused.err).toContain(`error: refusing to apply: NetworkPolicy ${ns}/payments already exists and ${whose.replace('NS', ns)}; see it with: kubectl get networkpolicy payments -n ${ns} -o yaml\n`);
    await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: ANP.plural, namespace: ns, name: 'payments' }); // not deleted
    expect((await net().readNamespacedNetworkPolicy({ namespace: ns, name: 'payments' })).spec?.podSelector).toEqual({});
    expect(refused.err).toContain('or pass --overwrite to replace it');
    // --force is about the safety gate only: it must not also take over someone else's NetworkPolicy.
    const forcedGate = await run(['audit', 'promote', 'payments', '-n', ns, '--apply', '--force', '--force-conflicts']);
    expect(forcedGate.code).toBe(4);
    expect(forcedGate.err).toContain('error: refusing to apply: ');
    // --overwrite gets past kguardian's refusal; alice's fields still need server-side apply's own override.
    const forced = await run(['audit', 'promote', 'payments', '-n', ns, '--apply', '--overwrite', '--force-conflicts']);
    expect(forced.err).toContain('warning: replacing (--overwrite): ');
    expect(forced.code).toBe(0);
    expect((await net().readNamespacedNetworkPolicy({ namespace: ns, name: 'payments' })).metadata?.annotations?.['kguardian.dev/promoted-from']).toBe(`AuditNetworkPolicy/${ns}/payments@1`);
  });

  it('keeps the audit object when the apply is refused', async () => {
    await synced('payments', ns);
    // May delete the audit object and read NetworkPolicies (the ownership check), may not write them.
    await grant(ns, 'half', ['get', 'delete'], [{ apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get'] }]);
    const sa = await serviceAccountKubeconfig(kc, ns, 'half');
    const r = await cli(sa, ['audit', 'promote', 'payments', '--apply', '--delete-audit']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`forbidden: you may not patch networkpolicies.networking.k8s.io "payments" in namespace "${ns}"`);
    await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: ANP.plural, namespace: ns, name: 'payments' });
  });
});

describe('errors', () => {
  it('names the namespace searched and suggests -A when the policy is not found', async () => {
    const r = await run(['audit', 'promote', 'nope', '-n', ns]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: AuditNetworkPolicy "nope" not found in namespace "${ns}" (context kg). List them with 'kubectl get kganp -A', or pass -n NAMESPACE.\n`);
  });

  it('says which verb and resource RBAC forbids', async () => {
    const sa = await serviceAccountKubeconfig(kc, ns, 'nobody');
    const r = await cli(sa, ['audit', 'promote', 'payments']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: forbidden: you may not get auditnetworkpolicies.kguardian.dev "payments" in namespace "${ns}" (context sa).`);
    expect(r.err).toContain(`check with: kubectl auth can-i get auditnetworkpolicies.kguardian.dev -n ${ns}`);
  });

  it('says when no cluster is reachable', async () => {
    const r = await cli(unreachableKubeconfig(), ['audit', 'promote', 'payments', '-n', 'prod']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: cannot reach the cluster at https:\/\/127\.0\.0\.1:1 \(context gone\): .*Check that the cluster is running/);
  });

  it.each([
    { args: ['audit', 'promote'], message: 'name an AuditNetworkPolicy (audit promote NAME -n NAMESPACE) or pass --all' },
    { args: ['audit', 'promote', 'p', '--all'], message: 'give a policy NAME or --all, not both' },
    { args: ['audit', 'promote', 'p', '-A'], message: '-A/--all-namespaces goes with --all' },
    { args: ['audit', 'promote', 'p', '-l', 'a=b'], message: '-l/--selector goes with --all' },
    { args: ['audit', 'promote', 'p', '--delete-audit'], message: '--delete-audit needs --apply' },
    { args: ['audit', 'promote', 'p', '--dry-run'], message: '--dry-run needs --apply' },
    { args: ['audit', 'promote', 'p', '--force-conflicts'], message: '--force-conflicts needs --apply' },
    { args: ['audit', 'promote', 'p', '--overwrite'], message: '--overwrite needs --apply: only --apply replaces an existing NetworkPolicy' },
    { args: ['audit', 'promote', 'p', '--min-quiet', '24x'], message: '--min-quiet: "24x" is not a duration; use numbers with s, m, h or d' },
    { args: ['audit', 'promote', 'p', '-o', 'xml'], message: '-o/--output: "xml" is not one of yaml, json, name' },
    // The helper passes the test kubeconfig first; a second --kubeconfig wins, as in kubectl.
    { args: ['--kubeconfig', '/nonexistent/kc', 'audit', 'promote', 'p'], message: '--kubeconfig /nonexistent/kc: no such file' },
    { args: ['--context', 'nope', 'audit', 'promote', 'p'], message: '--context nope: no such context in the kubeconfig (it has: kg)' },
  ])('exits 2 on bad flags: $message', async ({ args, message }) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).not.toContain('    at ');
  });
});

async function grant(namespace: string, sa: string, verbs: string[], more: { apiGroups: string[]; resources: string[]; verbs: string[] }[] = []): Promise<void> {
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name: sa }, rules: [{ apiGroups: [GROUP], resources: [ANP.plural], verbs }, ...more] } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: { metadata: { name: sa }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sa }, subjects: [{ kind: 'ServiceAccount', name: sa, namespace }] },
  });
  // The API server's authorizer learns of a new binding through its own informer: on a busy machine
  // a request made at once can still be forbidden. Wait until it answers that the grant holds.
  const authz = kc.makeApiClient(AuthorizationV1Api);
  const user = `system:serviceaccount:${namespace}:${sa}`;
  for (let waited = 0; ; waited += 100) {
    const review = await authz.createSubjectAccessReview({
      body: { spec: { user, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`], resourceAttributes: { namespace, group: GROUP, resource: ANP.plural, verb: verbs[0] } } },
    });
    if (review.status?.allowed === true) return;
    if (waited > 60_000) throw new Error(`${user} still may not ${String(verbs[0])} ${ANP.plural} in ${namespace} a minute after the grant`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('on a cluster of its own', () => {
  let own: Awaited<ReturnType<typeof privateControlPlane>>;
  let saved: KubeConfig;

  beforeAll(async () => {
    own = await privateControlPlane();
  });
  afterAll(async () => {
    await own.stop();
  });

  it('without the CRDs: says to install them', async () => {
    const r = await cli(own.kubeconfig, ['audit', 'promote', '--all', '-A']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: the kguardian CRDs are not installed on https://127.0.0.1:');
    expect(r.err).toContain('it does not serve auditnetworkpolicies.kguardian.dev. Install them: kubectl apply -f crds/');
  });

  it.each([
    { args: ['describe', 'payments', '-n', 'prod'], resource: 'auditnetworkpolicies.kguardian.dev' },
    { args: ['describe', 'kgacnp', 'platform'], resource: 'auditclusternetworkpolicies.kguardian.dev' },
    { args: ['audit', 'promote-cluster', 'platform'], resource: 'auditclusternetworkpolicies.kguardian.dev' },
  ])('without the CRDs, $args says to install them', async ({ args, resource }) => {
    const r = await cli(own.kubeconfig, args);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`it does not serve ${resource}. Install them: kubectl apply -f crds/`);
  });

  it('--all -A --output-dir writes one file per policy across namespaces', async () => {
    saved = kc;
    const { KubeConfig } = await import('@kubernetes/client-node');
    kc = new KubeConfig();
    kc.loadFromFile(own.kubeconfig);
    try {
      await installCrds(kc);
      const a = await createTestNamespace(kc, 'alpha');
      const b = await createTestNamespace(kc, 'beta');
      const sources = [await synced('payments', a), await synced('ledger', a), await synced('payments', b, { offenders: [], window: '1h' })];
      const dir = mkdtempSync(join(tmpdir(), 'kg-promoted-'));
      const r = await cli(own.kubeconfig, ['audit', 'promote', '--all', '-A', '--output-dir', 'out'], dir);
      expect(r.err).toBe('');
      expect(r.out).toBe([`wrote out/${a}.ledger.yaml`, `wrote out/${a}.payments.yaml`, `wrote out/${b}.payments.yaml`, ''].join('\n'));
      expect(readdirSync(join(dir, 'out')).sort()).toEqual([`${a}.ledger.yaml`, `${a}.payments.yaml`, `${b}.payments.yaml`]);
      for (const s of sources) {
        const text = readFileSync(join(dir, 'out', `${s.metadata.namespace ?? ''}.${s.metadata.name}.yaml`), 'utf8');
        expect(yaml.load(text)).toEqual(toNetworkPolicy(s));
      }
      const none = await cli(own.kubeconfig, ['audit', 'promote', '--all', '-n', 'default']);
      expect(none).toEqual({ code: 0, out: '', err: 'No AuditNetworkPolicies found in namespace default.\n' });
    } finally {
      kc = saved;
    }
  });

  it('--all -A --output-dir keeps team-a/db and team/a-db apart (they once shared team-a-db.yaml)', async () => {
    const { CoreV1Api, KubeConfig } = await import('@kubernetes/client-node');
    saved = kc;
    kc = new KubeConfig();
    kc.loadFromFile(own.kubeconfig);
    try {
      await installCrds(kc);
      // Exact names (only this private cluster has them), so the two would have met in one dash-joined file.
      for (const name of ['team-a', 'team']) await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
      const sources = [await synced('db', 'team-a'), await synced('a-db', 'team')];
      const dir = mkdtempSync(join(tmpdir(), 'kg-promoted-'));
      const r = await cli(own.kubeconfig, ['audit', 'promote', '--all', '-A', '-l', 'team=payments', '--output-dir', 'out', '-o', 'json'], dir);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(readdirSync(join(dir, 'out')).filter((f) => f.startsWith('team')).sort()).toEqual(['team-a.db.json', 'team.a-db.json']);
      for (const s of sources) expect(JSON.parse(readFileSync(join(dir, 'out', `${s.metadata.namespace ?? ''}.${s.metadata.name}.json`), 'utf8'))).toEqual(toNetworkPolicy(s));
    } finally {
      kc = saved;
    }
  });
});
