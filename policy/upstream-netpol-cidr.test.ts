// Upstream network-policy e2e scenarios about ipBlock peers, each written once per address
// family: the IPv4 form is probed with flows named by pod (the pod's primary address, IPv4
// in the model), by IPv4 address, and by both; the IPv6 form with flows carrying IPv6
// addresses. ipBlocks see addresses only, so a CIDR of one family never matches the other.
import { describe, it } from 'vitest';
import type { CheckOptions, Scenario } from './testing/reachability.js';
import { IPV4_VIEWS, IPV6_VIEWS, podIp, runScenario, TruthTable } from './testing/reachability.js';
import type { NetworkPolicyPeer } from './types.js';

const allowAll = (): TruthTable => TruthTable.allowAll();
const POD_A = { matchLabels: { pod: 'a' } };

function scenario(name: string, body: (s: Scenario) => void): void {
  it(name, () => {
    runScenario(body);
  });
}

interface Family {
  name: string;
  views: CheckOptions;
  /** The other family's views: a CIDR of this family must match nothing there. */
  otherViews: CheckOptions;
  /** A single pod's address as a CIDR (/32 or /128). */
  host: (pod: 'x/b' | 'y/b') => string;
  /** A CIDR holding every model pod. */
  wide: string;
}

const FAMILIES: readonly Family[] = [
  { name: 'IPv4', views: { views: IPV4_VIEWS }, otherViews: { views: IPV6_VIEWS }, host: (p) => `${podIp(p, 4)}/32`, wide: '10.244.0.0/16' },
  { name: 'IPv6', views: { views: IPV6_VIEWS }, otherViews: { views: IPV4_VIEWS }, host: (p) => `${podIp(p, 6)}/128`, wide: 'fd00:244::/32' },
];

function egressTo(...to: NetworkPolicyPeer[]): { podSelector: typeof POD_A; policyTypes: string[]; egress: { to: NetworkPolicyPeer[] }[] } {
  return { podSelector: POD_A, policyTypes: ['Egress'], egress: [{ to }] };
}

for (const f of FAMILIES) {
  describe(`upstream netpol: ipBlock (${f.name})`, () => {
    scenario('should allow egress access to server in CIDR block', (s) => {
      s.apply('x/allow-client-a-via-cidr-egress-rule', egressTo({ ipBlock: { cidr: f.host('y/b') } }));
      s.checkEvery(allowAll().denyFrom('x/a').allow('x/a', 'y/b'), f.views);
      // The same flows seen with the other family's addresses: the CIDR admits nothing.
      s.check('TCP/80', allowAll().denyFrom('x/a'), f.otherViews);
    });

    scenario('should enforce except clause while egress access to server in CIDR block', (s) => {
      s.apply('x/allow-client-a-via-cidr-egress-rule', egressTo({ ipBlock: { cidr: f.wide, except: [f.host('x/b')] } }));
      s.checkEvery(allowAll().deny('x/a', 'x/b'), f.views);
    });

    scenario('should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed', (s) => {
      // Upstream's steps: the except policy first, then the same policy updated to allow
      // exactly the excepted address.
      s.apply('x/allow-client-a-via-cidr-egress-rule', egressTo({ ipBlock: { cidr: f.wide, except: [f.host('x/b')] } }));
      s.check('TCP/80', allowAll().deny('x/a', 'x/b'), f.views);
      s.apply('x/allow-client-a-via-cidr-egress-rule', egressTo({ ipBlock: { cidr: f.host('x/b') } }));
      s.check('TCP/80', allowAll().denyFrom('x/a').allow('x/a', 'x/b'), f.views);
    });

    scenario("should allow an IP excepted by one rule's ipBlock when another rule's CIDR holds it", (s) => {
      // The same overlap with both rules alive at once: rules are ORed, and except only
      // narrows its own ipBlock, so x/b is reachable through the second rule.
      s.apply('x/wide-except-b-plus-b', {
        podSelector: POD_A,
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: f.wide, except: [f.host('x/b')] } }] }, { to: [{ ipBlock: { cidr: f.host('x/b') } }] }],
      });
      s.checkEvery(allowAll(), f.views);
    });

    scenario('should allow an IP excepted by one policy when another policy selecting the pod allows it', (s) => {
      s.apply('x/wide-except-b', egressTo({ ipBlock: { cidr: f.wide, except: [f.host('x/b')] } }));
      s.check('TCP/80', allowAll().deny('x/a', 'x/b'), f.views);
      s.apply('x/just-b', egressTo({ ipBlock: { cidr: f.host('x/b') } }));
      s.checkEvery(allowAll(), f.views);
    });

    scenario('should allow ingress from a client in a CIDR block', (s) => {
      // kguardian addition: the ingress counterpart, where the source's address is matched.
      s.apply('x/allow-from-y-b-cidr', { podSelector: POD_A, ingress: [{ from: [{ ipBlock: { cidr: f.host('y/b') } }] }] });
      s.checkEvery(allowAll().denyTo('x/a').allow('y/b', 'x/a'), f.views);
      s.check('TCP/80', allowAll().denyTo('x/a'), f.otherViews);
    });
  });
}

describe('upstream netpol: ipBlock in a dual-stack cluster', () => {
  scenario('should allow each family only through its own CIDR when a policy lists both', (s) => {
    s.apply('x/allow-y-b-both-families', egressTo({ ipBlock: { cidr: `${podIp('y/b', 4)}/32` } }, { ipBlock: { cidr: `${podIp('y/b', 6)}/128` } }));
    const expected = allowAll().denyFrom('x/a').allow('x/a', 'y/b');
    s.checkEvery(expected, { views: IPV4_VIEWS });
    s.checkEvery(expected, { views: IPV6_VIEWS });
  });
});
