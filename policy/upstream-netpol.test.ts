// The upstream network-policy e2e scenarios (test/e2e/network/netpol), reproduced against the
// engine on the 3x3 model of reachability.ts: default-deny, allow-all and peer selectors.
// Ports and protocols, egress and updates, and ipBlocks are in the other upstream-netpol-*
// files. Each scenario runs once with NetworkPolicy and once with AuditNetworkPolicy objects.
//
// Tables read as the upstream ones do: start from "everything allowed" and list what the
// policies take away. Loopback (a pod to itself) is always allowed by the engine; upstream
// ignores it, so the harness expects it allowed everywhere.
import { describe, it } from 'vitest';
import { runScenario, TruthTable, type Scenario } from './testing/reachability.js';

const NAME = 'kubernetes.io/metadata.name';
const allowAll = (): TruthTable => TruthTable.allowAll();

function scenario(name: string, body: (s: Scenario) => void): void {
  it(name, () => {
    runScenario(body);
  });
}

describe('upstream netpol: isolation basics', () => {
  scenario("should support a 'default-deny-ingress' policy", (s) => {
    s.checkEvery(allowAll());
    s.apply('x/deny-ingress', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] });
    s.checkEvery(allowAll().denyTo('x'));
  });

  scenario("should support a 'default-deny-all' policy", (s) => {
    s.apply('x/deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] });
    s.checkEvery(allowAll().denyTo('x').denyFrom('x'));
  });

  scenario('should support allow-all policy', (s) => {
    // An empty rule: every peer on every port, although every pod in x is now selected.
    s.apply('x/allow-all', { podSelector: { matchLabels: {} }, ingress: [{}] });
    s.checkEvery(allowAll());
    // The same rule with its lists written out empty: `from: []` and `ports: []` are "any".
    s.apply('x/allow-all', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [], ports: [] }] });
    s.checkEvery(allowAll());
  });

  scenario('should enforce policy to allow ingress traffic for a target', (s) => {
    s.apply('x/deny-all', { podSelector: {}, policyTypes: ['Ingress'] });
    s.apply('x/allow-all-to-a', {
      podSelector: { matchLabels: { pod: 'a' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: {}, namespaceSelector: {} }] }],
    });
    s.checkEvery(allowAll().denyTo('x').allow('*', 'x/a'));
  });

  scenario('should enforce policy to allow ingress traffic from pods in all namespaces', (s) => {
    s.apply('x/allow-from-another-ns', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: {} } }] }],
    });
    s.checkEvery(allowAll());
  });

  scenario('should deny ingress from pods on other namespaces', (s) => {
    // An empty podSelector peer with no namespaceSelector: every pod of the policy's own namespace.
    s.apply('x/deny-empty-policy', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: {} } }] }] });
    s.checkEvery(allowAll().deny('y', 'x').deny('z', 'x'));
  });
});

describe('upstream netpol: pod and namespace selectors', () => {
  scenario('should enforce policy to allow traffic from pods within server namespace based on PodSelector', (s) => {
    s.apply('x/x-a-allows-x-b', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }],
    });
    // y/b and z/b carry pod=b too, but a bare podSelector only looks in the policy's namespace.
    s.checkEvery(allowAll().denyTo('x/a').allow('x/b', 'x/a'));
  });

  scenario('should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector', (s) => {
    s.apply('x/allow-client-a-via-ns-selector', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { [NAME]: 'y' } } }] }],
    });
    s.checkEvery(allowAll().deny('x', 'x/a').deny('z', 'x/a'));
  });

  scenario('should enforce policy based on PodSelector with MatchExpressions', (s) => {
    s.apply('x/x-a-allows-x-b', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b'] }] } }] }],
    });
    s.checkEvery(allowAll().denyTo('x/a').allow('x/b', 'x/a'));
  });

  scenario('should enforce policy based on NamespaceSelector with MatchExpressions', (s) => {
    s.apply('x/allow-ns-y-match-selector', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: NAME, operator: 'In', values: ['y'] }] } }] }],
    });
    s.checkEvery(allowAll().deny('x', 'x/a').deny('z', 'x/a'));
  });

  scenario('should enforce policy based on PodSelector or NamespaceSelector', (s) => {
    // Two peers in one rule are ORed: any namespace but x, or pod b of x.
    s.apply('x/allow-ns-y-match-selector', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [
        {
          from: [
            { namespaceSelector: { matchExpressions: [{ key: NAME, operator: 'NotIn', values: ['x'] }] } },
            { podSelector: { matchLabels: { pod: 'b' } } },
          ],
        },
      ],
    });
    s.checkEvery(allowAll().deny('x/c', 'x/a'));
  });

  scenario('should enforce policy based on PodSelector and NamespaceSelector', (s) => {
    // Both selectors in one peer are ANDed: pod b, in any namespace but x.
    s.apply('x/allow-ns-y-podselector-and-nsselector', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchExpressions: [{ key: NAME, operator: 'NotIn', values: ['x'] }] },
              podSelector: { matchLabels: { pod: 'b' } },
            },
          ],
        },
      ],
    });
    s.checkEvery(allowAll().denyTo('x/a').allow('y/b', 'x/a').allow('z/b', 'x/a'));
  });

  scenario('should enforce policy based on Multiple PodSelectors and NamespaceSelectors', (s) => {
    s.apply('x/allow-ns-y-z-pod-b-c', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchExpressions: [{ key: NAME, operator: 'NotIn', values: ['x'] }] },
              podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] },
            },
          ],
        },
      ],
    });
    s.checkEvery(allowAll().deny('x', 'x/a').deny('y/a', 'x/a').deny('z/a', 'x/a'));
  });

  scenario('should enforce policy based on any PodSelectors', (s) => {
    s.apply('x/allow-ns-x-pod-b-c', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }, { podSelector: { matchLabels: { pod: 'c' } } }] }],
    });
    s.checkEvery(allowAll().denyTo('x/a').allow('x/b', 'x/a').allow('x/c', 'x/a'));
  });

  scenario('should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector', (s) => {
    s.apply('x/allow-ns-y-pod-a-via-namespace-pod-selector', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { [NAME]: 'y' } }, podSelector: { matchLabels: { pod: 'a' } } }] }],
    });
    s.checkEvery(allowAll().denyTo('x/a').allow('y/a', 'x/a'));
  });

  scenario('should select namespaces by their ns label as well as by the name label', (s) => {
    // Not an upstream case by itself: the model's own `ns` label, as the original suite used it.
    s.apply('x/allow-from-ns-label-y', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }],
    });
    s.checkEvery(allowAll().deny('x', 'x/a').deny('z', 'x/a'));
  });
});

describe('upstream netpol: the default kubernetes.io/metadata.name namespace label', () => {
  scenario('should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using default ns label', (s) => {
    s.apply('x/allow-client-a-via-ns-selector-for-immutable-ns-label', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { [NAME]: 'y' } } }] }],
    });
    s.checkEvery(allowAll().deny('x', 'x/a').deny('z', 'x/a'));
  });

  scenario('should enforce policy based on NamespaceSelector with MatchExpressions using default ns label', (s) => {
    s.apply('x/allow-ns-y-match-selector-for-immutable-ns-label', {
      podSelector: { matchLabels: { pod: 'a' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchExpressions: [{ key: NAME, operator: 'NotIn', values: ['y'] }] } }] }],
    });
    s.checkEvery(allowAll().deny('x/a', 'y'));
  });

  scenario('should keep the name label even when a namespace is relabelled without it', (s) => {
    // The API server always sets the label; the engine must not lose it on relabel.
    s.apply('x/allow-from-y', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { [NAME]: 'y' } } }] }],
    });
    s.state.upsertNamespace({ name: 'y', labels: { team: 'blue' } });
    s.checkEvery(allowAll().deny('x', 'x/a').deny('z', 'x/a'));
  });
});
