// Upstream network-policy e2e scenarios about egress, both directions together, several
// policies on one pod, and a cluster that changes under the policies (policies updated and
// deleted, namespaces and pods relabelled). See upstream-netpol.test.ts for the conventions.
import { describe, it } from 'vitest';
import { runScenario, TruthTable, type Scenario } from './testing/reachability.js';

const NAME = 'kubernetes.io/metadata.name';
const allowAll = (): TruthTable => TruthTable.allowAll();
const POD_A = { matchLabels: { pod: 'a' } };

function scenario(name: string, body: (s: Scenario) => void): void {
  it(name, () => {
    runScenario(body);
  });
}

describe('upstream netpol: egress', () => {
  scenario('should deny egress from pods based on PodSelector', (s) => {
    s.apply('x/deny-egress-pod-a', { podSelector: POD_A, policyTypes: ['Egress'], egress: [] });
    s.checkEvery(allowAll().denyFrom('x/a'));
  });

  scenario('should deny egress from all pods in a namespace', (s) => {
    s.apply('x/deny-egress-ns-x', { podSelector: {}, policyTypes: ['Egress'], egress: [] });
    s.checkEvery(allowAll().denyFrom('x'));
  });

  scenario('should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector', (s) => {
    s.apply('x/allow-to-ns-y-pod-a', {
      podSelector: POD_A,
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { [NAME]: 'y' } }, podSelector: POD_A }] }],
    });
    s.checkEvery(allowAll().denyFrom('x/a').allow('x/a', 'y/a'));
  });

  scenario('should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)', (s) => {
    // x/a may only send to y/a; y/a and y/b each admit only x/a. So x/a reaches y/a alone,
    // nobody else reaches y/a, and nobody at all reaches y/b.
    s.apply('x/allow-to-ns-y-pod-a', {
      podSelector: POD_A,
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { [NAME]: 'y' } }, podSelector: POD_A }] }],
    });
    const fromXa = [{ namespaceSelector: { matchLabels: { [NAME]: 'x' } }, podSelector: POD_A }];
    s.apply('y/allow-from-xa-on-ya-match-selector', { podSelector: POD_A, ingress: [{ from: fromXa }] });
    s.apply('y/allow-from-xa-on-yb-match-selector', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: fromXa }] });
    s.checkEvery(allowAll().denyFrom('x/a').denyTo('y/a').allow('x/a', 'y/a').denyTo('y/b'));
  });

  scenario('should enforce multiple egress policies with egress allow-all policy taking precedence', (s) => {
    s.apply('x/allow-egress-port-80', { podSelector: { matchLabels: {} }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] });
    s.check('TCP/80', allowAll());
    s.check('TCP/81', allowAll().denyFrom('x'));
    s.apply('x/allow-egress', { podSelector: { matchLabels: {} }, policyTypes: ['Egress'], egress: [{}] });
    s.checkEvery(allowAll());
  });
});

describe('upstream netpol: ingress and egress together', () => {
  scenario('should work with Ingress, Egress specified together', (s) => {
    s.apply('x/allow-client-a-via-pod-selector', {
      podSelector: POD_A,
      policyTypes: ['Egress', 'Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }],
      egress: [{ ports: [{ port: 80 }] }],
    });
    s.check('TCP/80', allowAll().denyTo('x/a').allow('x/b', 'x/a'));
    s.check('TCP/81', allowAll().denyTo('x/a').denyFrom('x/a').allow('x/b', 'x/a'));
  });

  scenario('should enforce multiple ingress policies with ingress allow-all policy taking precedence', (s) => {
    s.apply('x/allow-ingress-port-80', { podSelector: { matchLabels: {} }, ingress: [{ ports: [{ port: 80 }] }] });
    s.check('TCP/80', allowAll());
    s.check('TCP/81', allowAll().denyTo('x'));
    s.apply('x/allow-ingress', { podSelector: { matchLabels: {} }, ingress: [{}] });
    s.checkEvery(allowAll());
  });

  scenario('should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector', (s) => {
    s.apply('x/allow-egress-for-target', { podSelector: POD_A, policyTypes: ['Egress'], egress: [{}] });
    s.checkEvery(allowAll());
    s.apply('x/deny-ingress-via-label-selector', { podSelector: POD_A, policyTypes: ['Ingress'], ingress: [] });
    // x/a still reaches everyone; nobody reaches x/a.
    s.checkEvery(allowAll().denyTo('x/a'));
  });
});

describe('upstream netpol: policies that change', () => {
  scenario('should enforce updated policy', (s) => {
    s.apply('x/allow-all-mutate-to-deny-all', { podSelector: { matchLabels: {} }, policyTypes: ['Ingress'], ingress: [{}] });
    s.check('TCP/81', allowAll());
    // The same name again replaces the spec: now no ingress rules at all.
    s.apply('x/allow-all-mutate-to-deny-all', { podSelector: { matchLabels: {} }, policyTypes: ['Ingress'], ingress: [] });
    s.checkEvery(allowAll().denyTo('x'));
  });

  scenario('should stop enforcing policies after they are deleted', (s) => {
    s.apply('x/deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] });
    s.checkEvery(allowAll().denyFrom('x').denyTo('x'));
    s.remove('x/deny-all');
    s.checkEvery(allowAll());
  });

  scenario('should keep a policy of the same name in another namespace when one is deleted', (s) => {
    // kguardian addition: policies are keyed by namespace and name.
    const spec = { podSelector: {}, policyTypes: ['Ingress'], ingress: [] };
    s.apply('x/deny', spec).apply('y/deny', spec);
    s.remove('x/deny');
    s.checkEvery(allowAll().denyTo('y'));
  });
});

describe('upstream netpol: pods and namespaces that change', () => {
  scenario('should allow ingress access from updated namespace', (s) => {
    s.apply('x/allow-client-a-via-ns-selector', {
      podSelector: POD_A,
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns2: 'updated' } } }] }],
    });
    s.checkEvery(allowAll().denyTo('x/a'));
    s.relabelNamespace('y', { ns2: 'updated' });
    s.checkEvery(allowAll().denyTo('x/a').allow('y', '*'));
    // And back: removing the label closes the door again.
    s.relabelNamespace('y', {});
    s.checkEvery(allowAll().denyTo('x/a'));
  });

  scenario('should allow ingress access from updated pod', (s) => {
    s.apply('x/allow-client-a-via-pod-selector', {
      podSelector: POD_A,
      ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b', pod2: 'updated' } } }] }],
    });
    s.checkEvery(allowAll().denyTo('x/a'));
    s.relabelPod('x/b', { pod: 'b', pod2: 'updated' });
    s.checkEvery(allowAll().denyTo('x/a').allow('x/b', 'x/a'));
  });

  scenario('should deny ingress access to updated pod', (s) => {
    s.apply('x/deny-ingress-via-label-selector', { podSelector: { matchLabels: { target: 'isolated' } }, policyTypes: ['Ingress'], ingress: [] });
    s.checkEvery(allowAll());
    s.relabelPod('x/a', { pod: 'a', target: 'isolated' });
    s.checkEvery(allowAll().denyTo('x/a'));
    // kguardian addition: dropping the label releases the pod again.
    s.relabelPod('x/a', { pod: 'a' });
    s.checkEvery(allowAll());
  });

  scenario('should stop selecting a pod whose labels no longer match the egress policy', (s) => {
    // kguardian addition, the egress twin of the case above.
    s.apply('x/deny-egress-pod-a', { podSelector: POD_A, policyTypes: ['Egress'], egress: [] });
    s.checkEvery(allowAll().denyFrom('x/a'));
    s.relabelPod('x/a', { pod: 'renamed' });
    s.relabelPod('x/b', { pod: 'a' });
    s.checkEvery(allowAll().denyFrom('x/b'));
  });
});
