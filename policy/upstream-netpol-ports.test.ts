// Upstream network-policy e2e scenarios about ports and protocols: numeric and named ports,
// protocol-only rules, SCTP and UDP not being mistaken for TCP, the UDP and SCTP variants of
// the basic cases, and endPort ranges. See upstream-netpol.test.ts for the conventions.
import { describe, it } from 'vitest';
import { runScenario, TruthTable, type Scenario } from './testing/reachability.js';

const NAME = 'kubernetes.io/metadata.name';
const allowAll = (): TruthTable => TruthTable.allowAll();
const POD_A = { matchLabels: { pod: 'a' } };
const FROM_Y = [{ namespaceSelector: { matchLabels: { [NAME]: 'y' } } }];

function scenario(name: string, body: (s: Scenario) => void): void {
  it(name, () => {
    runScenario(body);
  });
}

describe('upstream netpol: numeric ports', () => {
  scenario('should enforce policy based on Ports', (s) => {
    s.apply('x/allow-client-a-via-ns-selector', {
      podSelector: POD_A,
      ingress: [{ from: FROM_Y, ports: [{ port: 81, protocol: 'TCP' }] }],
    });
    s.check('TCP/81', allowAll().deny('x', 'x/a').deny('z', 'x/a'));
    for (const other of ['TCP/80', 'UDP/81', 'SCTP/81'] as const) s.check(other, allowAll().denyTo('x/a'));
  });

  scenario('should enforce multiple, stacked policies with overlapping podSelectors', (s) => {
    const from81 = allowAll().deny('x', 'x/a').allow('y', 'x/a').deny('z', 'x/a');
    s.apply('x/allow-client-a-via-ns-selector', {
      podSelector: POD_A,
      ingress: [{ from: FROM_Y, ports: [{ port: 81, protocol: 'TCP' }] }],
    });
    s.check('TCP/81', from81);
    s.check('TCP/80', allowAll().denyTo('x/a'));
    // A second policy selecting the same pod adds port 80; it does not narrow the first.
    s.apply('x/allow-client-a-via-ns-selector-80', {
      podSelector: POD_A,
      ingress: [{ from: FROM_Y, ports: [{ port: 80, protocol: 'TCP' }] }],
    });
    s.check('TCP/80', from81);
    s.check('TCP/81', from81);
  });

  scenario('should enforce ingress policy allowing any port traffic to a server on a specific protocol', (s) => {
    s.apply('x/allow-ingress-by-proto', { podSelector: POD_A, ingress: [{ ports: [{ protocol: 'TCP' }] }] });
    s.check('TCP/80', allowAll());
    s.check('TCP/81', allowAll());
    for (const other of ['UDP/80', 'UDP/81', 'SCTP/80', 'SCTP/81'] as const) s.check(other, allowAll().denyTo('x/a'));
  });
});

describe('upstream netpol: named ports', () => {
  scenario('should allow ingress access on one named port', (s) => {
    s.apply('x/allow-all', { podSelector: { matchLabels: {} }, ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] });
    s.check('TCP/81', allowAll());
    s.check('TCP/80', allowAll().denyTo('x'));
    // The name resolves on the destination for TCP only: UDP 81 is a different named port.
    s.check('UDP/81', allowAll().denyTo('x'));
  });

  scenario('should allow ingress access from namespace on one named port', (s) => {
    s.apply('x/allow-client-a-via-ns-selector-80', {
      podSelector: POD_A,
      ingress: [{ from: FROM_Y, ports: [{ port: 'serve-80-tcp', protocol: 'TCP' }] }],
    });
    s.check('TCP/80', allowAll().deny('x', 'x/a').deny('z', 'x/a'));
    s.check('TCP/81', allowAll().denyTo('x/a'));
  });

  scenario('should allow egress access on one named port', (s) => {
    // The name is resolved on each destination pod, which all declare serve-80-tcp.
    s.apply('x/allow-egress', { podSelector: { matchLabels: {} }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }] });
    s.check('TCP/80', allowAll());
    s.check('TCP/81', allowAll().denyFrom('x'));
    s.check('UDP/80', allowAll().denyFrom('x'));
  });

  scenario('should match a named port only on the protocol the policy names', (s) => {
    // kguardian addition: serve-80-udp is a UDP port, so a rule naming it with the default
    // protocol (TCP) matches nothing, while the same name with protocol UDP opens UDP 80.
    s.apply('x/named-udp-without-protocol', { podSelector: POD_A, ingress: [{ ports: [{ port: 'serve-80-udp' }] }] });
    s.checkEvery(allowAll().denyTo('x/a'));
    s.apply('x/named-udp-with-protocol', { podSelector: POD_A, ingress: [{ ports: [{ port: 'serve-80-udp', protocol: 'UDP' }] }] });
    s.check('UDP/80', allowAll());
    for (const other of ['TCP/80', 'UDP/81', 'SCTP/80'] as const) s.check(other, allowAll().denyTo('x/a'));
  });
});

describe('upstream netpol: protocols are never confused', () => {
  scenario("should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the plugin doesn't support SCTP", (s) => {
    s.apply('x/deny-ingress', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] });
    s.apply('x/allow-only-sctp-ingress-on-port-81', { podSelector: POD_A, ingress: [{ ports: [{ port: 81, protocol: 'SCTP' }] }] });
    s.check('TCP/81', allowAll().denyTo('x'));
    s.check('SCTP/81', allowAll().denyTo('x').allow('*', 'x/a'));
    s.check('SCTP/80', allowAll().denyTo('x'));
  });

  scenario("should properly isolate pods that are selected by a policy allowing SCTP, even if the plugin doesn't support SCTP", (s) => {
    s.apply('x/allow-only-sctp-ingress-on-port-80', { podSelector: POD_A, ingress: [{ ports: [{ port: 80, protocol: 'SCTP' }] }] });
    s.check('TCP/81', allowAll().denyTo('x/a'));
    s.check('TCP/80', allowAll().denyTo('x/a'));
    s.check('SCTP/80', allowAll());
  });

  scenario('should not allow access by TCP when a policy specifies only UDP', (s) => {
    s.apply('x/allow-only-udp-ingress-on-port-81', { podSelector: POD_A, ingress: [{ ports: [{ port: 81, protocol: 'UDP' }] }] });
    s.check('TCP/81', allowAll().denyTo('x/a'));
    s.check('UDP/81', allowAll());
    s.check('UDP/80', allowAll().denyTo('x/a'));
  });
});

// The upstream suite repeats three basic cases on UDP and on SCTP.
for (const protocol of ['UDP', 'SCTP'] as const) {
  describe(`upstream netpol: NetworkPolicy between server and client using ${protocol}`, () => {
    scenario("should support a 'default-deny-ingress' policy", (s) => {
      s.apply('x/deny-all', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] });
      s.check(`${protocol}/80`, allowAll().denyTo('x'));
    });

    scenario('should enforce policy based on Ports', (s) => {
      s.apply('x/allow-ingress-on-port-81-ns-x', { podSelector: POD_A, ingress: [{ from: FROM_Y, ports: [{ port: 81, protocol }] }] });
      s.check(`${protocol}/81`, allowAll().deny('x', 'x/a').deny('z', 'x/a'));
      s.check(`${protocol}/80`, allowAll().denyTo('x/a'));
      s.check('TCP/81', allowAll().denyTo('x/a'));
    });

    scenario('should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector', (s) => {
      s.apply('x/allow-ns-y-pod-a-via-namespace-pod-selector', {
        podSelector: POD_A,
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { [NAME]: 'y' } }, podSelector: POD_A }] }],
      });
      s.check(`${protocol}/80`, allowAll().denyTo('x/a').allow('y/a', 'x/a'));
    });
  });
}

describe('upstream netpol: endPort ranges', () => {
  scenario('should allow every port of an inclusive range (80-81)', (s) => {
    s.apply('x/allow-80-81-from-y', { podSelector: POD_A, ingress: [{ from: FROM_Y, ports: [{ protocol: 'TCP', port: 80, endPort: 81 }] }] });
    const fromY = allowAll().deny('x', 'x/a').deny('z', 'x/a');
    s.check('TCP/80', fromY);
    s.check('TCP/81', fromY);
    s.check('UDP/80', allowAll().denyTo('x/a'));
  });

  scenario('should treat endPort equal to port (81-81) as that one port', (s) => {
    s.apply('x/allow-81-81-from-y', { podSelector: POD_A, ingress: [{ from: FROM_Y, ports: [{ protocol: 'TCP', port: 81, endPort: 81 }] }] });
    s.check('TCP/81', allowAll().deny('x', 'x/a').deny('z', 'x/a'));
    s.check('TCP/80', allowAll().denyTo('x/a'));
  });

  scenario('should include both edges of a range and nothing past them', (s) => {
    // 1-80 ends on 80 and 81-65535 starts on 81: each admits exactly one of the served ports.
    s.apply('x/allow-up-to-80', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 1, endPort: 80 }] }] });
    s.apply('x/allow-from-81', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ ports: [{ port: 81, endPort: 65535 }] }] });
    s.apply('x/allow-82-up', { podSelector: { matchLabels: { pod: 'c' } }, ingress: [{ ports: [{ port: 82, endPort: 65535 }] }] });
    s.check('TCP/80', allowAll().denyTo('x/b').denyTo('x/c'));
    s.check('TCP/81', allowAll().denyTo('x/a').denyTo('x/c'));
  });

  scenario('should apply endPort ranges to egress, per protocol', (s) => {
    s.apply('x/egress-udp-80-81', {
      podSelector: POD_A,
      policyTypes: ['Egress'],
      egress: [{ ports: [{ protocol: 'UDP', port: 80, endPort: 81 }] }],
    });
    s.check('UDP/80', allowAll());
    s.check('UDP/81', allowAll());
    s.check('TCP/80', allowAll().denyFrom('x/a'));
    s.check('SCTP/81', allowAll().denyFrom('x/a'));
  });
});
