/**
 * Contract of port.ts: `ports` compile to explicit variants (omitted or [] is any port of any
 * protocol, `{}` is every TCP port, a protocol alone is every port of it, a number, an inclusive
 * range, a named port), invalid entries are rejected with upstream's rules and the exact path,
 * and a named port admits a flow only when the destination pod declares that name for the
 * flow's protocol and port number, so a name declared for TCP never admits a UDP flow.
 */
import { describe, expect, it } from 'vitest';
import { ProblemList, type PolicyProblem } from './errors.js';
import type { PortList } from './port.js';
import { compilePorts, describePortList, isValidPortName, portListMatches } from './port.js';
import type { ContainerPort, Protocol } from './types.js';

function compile(raw: unknown): { list: PortList; problems: PolicyProblem[] } {
  const problems = new ProblemList();
  const list = compilePorts(raw, 'p', problems);
  return { list, problems: problems.items };
}

const tcp = (name: string, containerPort: number): ContainerPort => ({ name, containerPort, protocol: 'TCP' });
const udp = (name: string, containerPort: number): ContainerPort => ({ name, containerPort, protocol: 'UDP' });

describe('compiled variants', () => {
  it.each([
    { title: 'omitted: any port', raw: undefined, expected: { kind: 'any' } },
    { title: 'null: any port', raw: null, expected: { kind: 'any' } },
    { title: '[]: any port', raw: [], expected: { kind: 'any' } },
    { title: '{}: every TCP port', raw: [{}], expected: { kind: 'ports', ports: [{ kind: 'protocol', protocol: 'TCP' }] } },
    { title: 'protocol only', raw: [{ protocol: 'UDP' }], expected: { kind: 'ports', ports: [{ kind: 'protocol', protocol: 'UDP' }] } },
    { title: 'a number defaults to TCP', raw: [{ port: 80 }], expected: { kind: 'ports', ports: [{ kind: 'number', protocol: 'TCP', port: 80 }] } },
    { title: 'SCTP number', raw: [{ protocol: 'SCTP', port: 3868 }], expected: { kind: 'ports', ports: [{ kind: 'number', protocol: 'SCTP', port: 3868 }] } },
    { title: 'port 1 is valid', raw: [{ port: 1 }], expected: { kind: 'ports', ports: [{ kind: 'number', protocol: 'TCP', port: 1 }] } },
    { title: 'port 65535 is valid', raw: [{ port: 65535 }], expected: { kind: 'ports', ports: [{ kind: 'number', protocol: 'TCP', port: 65535 }] } },
    { title: 'a range', raw: [{ port: 8000, endPort: 8080 }], expected: { kind: 'ports', ports: [{ kind: 'range', protocol: 'TCP', from: 8000, to: 8080 }] } },
    { title: 'endPort equal to port', raw: [{ port: 80, endPort: 80 }], expected: { kind: 'ports', ports: [{ kind: 'range', protocol: 'TCP', from: 80, to: 80 }] } },
    { title: 'a named port', raw: [{ port: 'http' }], expected: { kind: 'ports', ports: [{ kind: 'named', protocol: 'TCP', name: 'http' }] } },
    { title: 'a named UDP port', raw: [{ protocol: 'UDP', port: 'dns' }], expected: { kind: 'ports', ports: [{ kind: 'named', protocol: 'UDP', name: 'dns' }] } },
    {
      title: 'several entries keep their order',
      raw: [{ port: 443 }, { protocol: 'UDP', port: 53 }],
      expected: {
        kind: 'ports',
        ports: [
          { kind: 'number', protocol: 'TCP', port: 443 },
          { kind: 'number', protocol: 'UDP', port: 53 },
        ],
      },
    },
  ])('$title', ({ raw, expected }) => {
    const { list, problems } = compile(raw);
    expect(problems).toEqual([]);
    expect(list).toEqual(expected);
  });
});

describe('validation', () => {
  const portMessage = (v: string): string => `${v} is not a valid port: use a number from 1 to 65535 or a port name (IANA_SVC_NAME)`;
  it.each([
    { title: 'endPort below port', raw: [{ port: 90, endPort: 80 }], path: 'p[0].endPort', code: 'endPort', message: 'endPort 80 must be greater than or equal to port 90' },
    { title: 'endPort with a named port', raw: [{ port: 'http', endPort: 90 }], path: 'p[0].endPort', code: 'endPort', message: 'endPort may only be set when port is a number, not a name' },
    { title: 'endPort without port', raw: [{ endPort: 90 }], path: 'p[0].endPort', code: 'endPort', message: 'endPort may only be set together with a numeric port' },
    { title: 'endPort 65536', raw: [{ port: 80, endPort: 65536 }], path: 'p[0].endPort', code: 'endPort', message: '65536 is not a valid end port: use a number from 1 to 65535' },
    { title: 'endPort as text', raw: [{ port: 80, endPort: '90' }], path: 'p[0].endPort', code: 'endPort', message: '90 is not a valid end port: use a number from 1 to 65535' },
    { title: 'port 0', raw: [{ port: 0 }], path: 'p[0].port', code: 'port', message: portMessage('0') },
    { title: 'port 65536', raw: [{ port: 65536 }], path: 'p[0].port', code: 'port', message: portMessage('65536') },
    { title: 'negative port', raw: [{ port: -1 }], path: 'p[0].port', code: 'port', message: portMessage('-1') },
    { title: 'fractional port', raw: [{ port: 80.5 }], path: 'p[0].port', code: 'port', message: portMessage('80.5') },
    // IntOrString: "80" is a string, so it is a name, and a name needs a letter.
    { title: 'a number written as a string', raw: [{ port: '80' }], path: 'p[0].port', code: 'port', message: portMessage('80') },
    { title: 'a name of 16 characters', raw: [{ port: 'abcdefghijklmnop' }], path: 'p[0].port', code: 'port', message: portMessage('abcdefghijklmnop') },
    { title: 'an uppercase name', raw: [{ port: 'HTTP' }], path: 'p[0].port', code: 'port', message: portMessage('HTTP') },
    { title: 'a name with a double dash', raw: [{ port: 'web--api' }], path: 'p[0].port', code: 'port', message: portMessage('web--api') },
    { title: 'the path names the failing entry', raw: [{ port: 80 }, { port: 0 }], path: 'p[1].port', code: 'port', message: portMessage('0') },
    { title: 'protocol TPC', raw: [{ protocol: 'TPC', port: 80 }], path: 'p[0].protocol', code: 'protocol', message: 'TPC is not a supported protocol: valid protocols are TCP, UDP, SCTP' },
    // Protocols are case-sensitive upstream.
    { title: 'protocol in lower case', raw: [{ protocol: 'tcp' }], path: 'p[0].protocol', code: 'protocol', message: 'tcp is not a supported protocol: valid protocols are TCP, UDP, SCTP' },
    { title: 'protocol ICMP', raw: [{ protocol: 'ICMP' }], path: 'p[0].protocol', code: 'protocol', message: 'ICMP is not a supported protocol: valid protocols are TCP, UDP, SCTP' },
    { title: 'ports not a list', raw: { port: 80 }, path: 'p', code: 'type', message: 'has the wrong type: ports must be a list' },
    { title: 'an entry not an object', raw: [{ port: 80 }, 443], path: 'p[1]', code: 'type', message: 'has the wrong type: each port must be an object' },
  ])('$title is rejected at $path', ({ raw, path, code, message }) => {
    expect(compile(raw).problems).toEqual([{ severity: 'error', path, code, message }]);
  });

  it.each([
    { title: 'a short name', name: 'http', valid: true },
    { title: 'one letter', name: 'h', valid: true },
    { title: 'letters and digits', name: 'h2c', valid: true },
    { title: 'a leading digit with a letter', name: '8080tcp', valid: true },
    { title: 'a single dash inside', name: 'web-api', valid: true },
    { title: '15 characters', name: 'abcdefghijklmno', valid: true },
    { title: '16 characters', name: 'abcdefghijklmnop', valid: false },
    { title: 'uppercase', name: 'Http', valid: false },
    { title: 'a double dash', name: 'web--api', valid: false },
    { title: 'a leading dash', name: '-http', valid: false },
    { title: 'a trailing dash', name: 'http-', valid: false },
    { title: 'no letter', name: '8080', valid: false },
    { title: 'an underscore', name: 'http_alt', valid: false },
    { title: 'empty', name: '', valid: false },
  ])('port name: $title ($name) is valid=$valid', ({ name, valid }) => {
    expect(isValidPortName(name)).toBe(valid);
  });
});

describe('matching', () => {
  const api = [tcp('http', 8080), tcp('metrics', 9090)];
  it.each([
    { title: 'any: a UDP flow', raw: undefined, protocol: 'UDP', port: 9999, dst: undefined, expected: true },
    { title: 'any: an SCTP flow', raw: [], protocol: 'SCTP', port: 1, dst: undefined, expected: true },
    { title: '{}: TCP port 1', raw: [{}], protocol: 'TCP', port: 1, dst: undefined, expected: true },
    { title: '{}: TCP port 65535', raw: [{}], protocol: 'TCP', port: 65535, dst: undefined, expected: true },
    { title: '{}: a UDP flow is not TCP', raw: [{}], protocol: 'UDP', port: 53, dst: undefined, expected: false },
    { title: 'protocol UDP only: UDP flow', raw: [{ protocol: 'UDP' }], protocol: 'UDP', port: 53, dst: undefined, expected: true },
    { title: 'protocol UDP only: TCP flow', raw: [{ protocol: 'UDP' }], protocol: 'TCP', port: 53, dst: undefined, expected: false },
    { title: 'number: same port', raw: [{ port: 80 }], protocol: 'TCP', port: 80, dst: undefined, expected: true },
    { title: 'number: next port', raw: [{ port: 80 }], protocol: 'TCP', port: 81, dst: undefined, expected: false },
    { title: 'number: same port, other protocol', raw: [{ port: 80 }], protocol: 'UDP', port: 80, dst: undefined, expected: false },
    { title: 'number: SCTP', raw: [{ protocol: 'SCTP', port: 3868 }], protocol: 'SCTP', port: 3868, dst: undefined, expected: true },
    { title: 'range: one below', raw: [{ port: 8000, endPort: 8080 }], protocol: 'TCP', port: 7999, dst: undefined, expected: false },
    { title: 'range: first port (inclusive)', raw: [{ port: 8000, endPort: 8080 }], protocol: 'TCP', port: 8000, dst: undefined, expected: true },
    { title: 'range: last port (inclusive)', raw: [{ port: 8000, endPort: 8080 }], protocol: 'TCP', port: 8080, dst: undefined, expected: true },
    { title: 'range: one above', raw: [{ port: 8000, endPort: 8080 }], protocol: 'TCP', port: 8081, dst: undefined, expected: false },
    { title: 'range: other protocol', raw: [{ port: 8000, endPort: 8080 }], protocol: 'UDP', port: 8000, dst: undefined, expected: false },
    { title: 'range of one port: that port', raw: [{ port: 80, endPort: 80 }], protocol: 'TCP', port: 80, dst: undefined, expected: true },
    { title: 'range of one port: the next', raw: [{ port: 80, endPort: 80 }], protocol: 'TCP', port: 81, dst: undefined, expected: false },
    { title: 'several entries: the second matches', raw: [{ port: 80 }, { port: 443 }], protocol: 'TCP', port: 443, dst: undefined, expected: true },
    { title: 'several entries: none matches', raw: [{ port: 80 }, { port: 443 }], protocol: 'TCP', port: 8443, dst: undefined, expected: false },
    { title: 'named: name, protocol and number line up', raw: [{ port: 'http' }], protocol: 'TCP', port: 8080, dst: api, expected: true },
    // The name resolves to 8080 on this pod: port 80 is not "http" here.
    { title: 'named: the flow is on another number', raw: [{ port: 'http' }], protocol: 'TCP', port: 80, dst: api, expected: false },
    { title: 'named: the flow is UDP on the TCP name', raw: [{ port: 'http' }], protocol: 'UDP', port: 8080, dst: api, expected: false },
    // The trap: the policy names "dns" for UDP, the pod declares "dns" only for TCP.
    { title: 'named UDP: the pod declares the name for TCP only', raw: [{ protocol: 'UDP', port: 'dns' }], protocol: 'UDP', port: 53, dst: [tcp('dns', 53)], expected: false },
    { title: 'named UDP: the pod declares the name for UDP too', raw: [{ protocol: 'UDP', port: 'dns' }], protocol: 'UDP', port: 53, dst: [tcp('dns', 53), udp('dns', 53)], expected: true },
    // Protocol defaults to TCP: a TCP-named policy port misses a UDP-only declaration, on either protocol.
    { title: 'named TCP (default): the pod declares the name for UDP only, TCP flow', raw: [{ port: 'dns' }], protocol: 'TCP', port: 53, dst: [udp('dns', 53)], expected: false },
    { title: 'named TCP (default): the pod declares the name for UDP only, UDP flow', raw: [{ port: 'dns' }], protocol: 'UDP', port: 53, dst: [udp('dns', 53)], expected: false },
    { title: 'named: same name, different number', raw: [{ port: 'metrics' }], protocol: 'TCP', port: 9091, dst: api, expected: false },
    { title: 'named: the number belongs to another name', raw: [{ port: 'metrics' }], protocol: 'TCP', port: 8080, dst: api, expected: false },
    // Two containers may both declare the name; either number is the named port.
    { title: 'named: declared twice, second number', raw: [{ port: 'http' }], protocol: 'TCP', port: 9080, dst: [tcp('http', 8080), tcp('http', 9080)], expected: true },
    { title: 'named: no destination ports known', raw: [{ port: 'http' }], protocol: 'TCP', port: 8080, dst: undefined, expected: false },
    { title: 'named: the destination declares no ports', raw: [{ port: 'http' }], protocol: 'TCP', port: 8080, dst: [], expected: false },
    { title: 'named: a port without a name never matches', raw: [{ port: 'http' }], protocol: 'TCP', port: 8080, dst: [{ containerPort: 8080, protocol: 'TCP' as const }], expected: false },
    { title: 'named and number: the number matches without ports', raw: [{ port: 'http' }, { port: 80 }], protocol: 'TCP', port: 80, dst: undefined, expected: true },
  ] as { title: string; raw: unknown; protocol: Protocol; port: number; dst: ContainerPort[] | undefined; expected: boolean }[])(
    '$title',
    ({ raw, protocol, port, dst, expected }) => {
      const { list, problems } = compile(raw);
      expect(problems).toEqual([]);
      expect(portListMatches(list, protocol, port, dst)).toBe(expected);
    },
  );
});

describe('describePortList', () => {
  it.each([
    { raw: undefined, text: 'any port' },
    { raw: [{}], text: 'any/TCP' },
    { raw: [{ protocol: 'UDP' }], text: 'any/UDP' },
    { raw: [{ port: 80 }], text: '80/TCP' },
    { raw: [{ port: 8000, endPort: 8080 }], text: '8000-8080/TCP' },
    { raw: [{ protocol: 'UDP', port: 'dns' }], text: 'dns/UDP' },
    { raw: [{ port: 443 }, { protocol: 'SCTP', port: 3868 }], text: '443/TCP, 3868/SCTP' },
  ])('$text', ({ raw, text }) => {
    expect(describePortList(compile(raw).list)).toBe(text);
  });
});
