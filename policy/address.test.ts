/**
 * Contract of address.ts: addresses are parsed strictly (four-part decimal IPv4 only, no
 * leading zeros, no classful or hex forms, as Kubernetes validates pod IPs), each address has
 * one canonical text (RFC 5952 for IPv6, IPv4-mapped IPv6 read as IPv4), CIDR containment never
 * crosses families, and an ipBlock admits an address inside `cidr` and inside none of `except`,
 * where each `except` must be a strict subset of `cidr` (upstream's ValidateIPBlock).
 */
import { describe, expect, it } from 'vitest';
import type { CompiledIpBlock } from './address.js';
import { canonicalIp, compileIpBlock, describeIpBlock, family, inetText, inIpBlock, parseAddress } from './address.js';
import { ProblemList, type PolicyProblem } from './errors.js';

function compile(raw: unknown): { block: CompiledIpBlock | undefined; problems: PolicyProblem[] } {
  const problems = new ProblemList();
  const block = compileIpBlock(raw, 'b', problems);
  return { block, problems: problems.items };
}

describe('parsing and canonical form', () => {
  it.each([
    { title: 'a dotted quad', text: '10.0.0.1', canonical: '10.0.0.1' },
    { title: 'the unspecified IPv4 address', text: '0.0.0.0', canonical: '0.0.0.0' },
    { title: 'the top IPv4 address', text: '255.255.255.255', canonical: '255.255.255.255' },
    // ipaddr.js alone would read "10.1" as 10.0.0.1; the engine takes four-part decimal only.
    { title: 'two-part classful IPv4 is rejected', text: '10.1', canonical: undefined },
    { title: 'a bare 32-bit number is rejected', text: '167772161', canonical: undefined },
    // A leading zero means octal to inet_aton and decimal to others: Go and Kubernetes reject it.
    { title: 'a leading zero in the first octet is rejected', text: '010.0.0.1', canonical: undefined },
    { title: 'a leading zero in the last octet is rejected', text: '10.0.0.01', canonical: undefined },
    { title: 'hex octets are rejected', text: '0x0a.0.0.1', canonical: undefined },
    { title: 'an octet over 255 is rejected', text: '1.2.3.256', canonical: undefined },
    { title: 'five parts are rejected', text: '1.2.3.4.5', canonical: undefined },
    { title: 'surrounding space is rejected', text: ' 10.0.0.1', canonical: undefined },
    { title: 'a CIDR is not an address', text: '10.0.0.1/32', canonical: undefined },
    { title: 'the empty string is rejected', text: '', canonical: undefined },
    { title: 'IPv6 with leading zeros in a group', text: 'fd00::0001', canonical: 'fd00::1' },
    { title: 'IPv6 in upper case', text: 'FD00::1', canonical: 'fd00::1' },
    { title: 'IPv6 fully written', text: 'fd00:0:0:0:0:0:0:1', canonical: 'fd00::1' },
    // RFC 5952: compress the longest run of zero groups, the first one on a tie.
    { title: 'IPv6 with two zero runs compresses the first', text: '2001:db8:0:0:1:0:0:1', canonical: '2001:db8::1:0:0:1' },
    { title: 'IPv6 with a longer second zero run compresses it', text: '2001:db8:0:1:0:0:0:1', canonical: '2001:db8:0:1::1' },
    { title: 'a single zero group is not compressed', text: '2001:db8:0:1:1:1:1:1', canonical: '2001:db8:0:1:1:1:1:1' },
    { title: 'the unspecified IPv6 address', text: '::', canonical: '::' },
    { title: 'IPv6 loopback', text: '0:0:0:0:0:0:0:1', canonical: '::1' },
    { title: 'IPv4-mapped IPv6 in dotted form is IPv4', text: '::ffff:10.0.0.1', canonical: '10.0.0.1' },
    { title: 'IPv4-mapped IPv6 in hex form is IPv4', text: '::ffff:a00:1', canonical: '10.0.0.1' },
    { title: 'a triple colon is rejected', text: 'fd00:::1', canonical: undefined },
    { title: 'a non-hex digit is rejected', text: 'fd00::g', canonical: undefined },
    { title: 'nine groups are rejected', text: '1:2:3:4:5:6:7:8:9', canonical: undefined },
  ])('$title: $text -> $canonical', ({ text, canonical }) => {
    expect(canonicalIp(text)).toBe(canonical);
  });

  // inet's equality: one text per value, and IPv4-mapped or -compatible addresses stay IPv6 and apart.
  it.each([
    { text: '10.0.0.1', inet: '10.0.0.1' },
    { text: 'FD00:0:0::0001', inet: 'fd00::1' },
    { text: '::ffff:10.0.0.1', inet: '::ffff:a00:1' },
    { text: '::FFFF:a00:1', inet: '::ffff:a00:1' },
    { text: '::10.0.0.1', inet: '::a00:1' },
    { text: '0:0:0:0:0:0:a00:1', inet: '::a00:1' },
    { text: '::', inet: '::' },
  ])('$text has the inet text $inet', ({ text, inet }) => {
    expect(inetText(text)).toBe(inet);
  });

  it.each([
    { text: '10.0.0.1', family: 4 },
    { text: 'fd00::1', family: 6 },
    { text: '::ffff:192.168.1.1', family: 4 },
    { text: '::', family: 6 },
  ])('$text is IPv$family', ({ text, family: expected }) => {
    expect(family(parseAddress(text)!)).toBe(expected);
  });
});

describe('ipBlock containment', () => {
  it.each([
    { title: 'v4: inside', cidr: '10.0.0.0/8', except: [], ip: '10.255.255.255', inside: true },
    { title: 'v4: the network address itself', cidr: '10.0.0.0/8', except: [], ip: '10.0.0.0', inside: true },
    { title: 'v4: just outside', cidr: '10.0.0.0/8', except: [], ip: '11.0.0.0', inside: false },
    { title: 'v4 /24: last address inside', cidr: '10.0.0.0/24', except: [], ip: '10.0.0.255', inside: true },
    { title: 'v4 /24: next network outside', cidr: '10.0.0.0/24', except: [], ip: '10.0.1.0', inside: false },
    { title: 'v4 /32: the one address', cidr: '10.0.0.1/32', except: [], ip: '10.0.0.1', inside: true },
    { title: 'v4 /32: its neighbour', cidr: '10.0.0.1/32', except: [], ip: '10.0.0.2', inside: false },
    { title: '0.0.0.0/0 holds every IPv4 address', cidr: '0.0.0.0/0', except: [], ip: '203.0.113.9', inside: true },
    { title: '0.0.0.0/0 holds no IPv6 address', cidr: '0.0.0.0/0', except: [], ip: 'fd00::1', inside: false },
    { title: '::/0 holds every IPv6 address', cidr: '::/0', except: [], ip: '2001:db8::1', inside: true },
    { title: '::/0 holds no IPv4 address', cidr: '::/0', except: [], ip: '10.0.0.1', inside: false },
    // Mapped addresses are read as IPv4, so they are not in an IPv6 CIDR...
    { title: '::/0 does not hold an IPv4-mapped address', cidr: '::/0', except: [], ip: '::ffff:10.0.0.1', inside: false },
    // ...and they are in the IPv4 CIDR of the address they carry.
    { title: 'an IPv4-mapped address is in its IPv4 CIDR', cidr: '10.0.0.0/8', except: [], ip: '::ffff:10.1.2.3', inside: true },
    { title: 'v4 address never in a v6 CIDR', cidr: 'fd00::/8', except: [], ip: '10.0.0.1', inside: false },
    { title: 'v6: inside /8', cidr: 'fd00::/8', except: [], ip: 'fdff:ffff::1', inside: true },
    { title: 'v6: just outside /8', cidr: 'fd00::/8', except: [], ip: 'fe00::', inside: false },
    { title: 'v6 /64: non-canonical spelling inside', cidr: 'fd00:1::/64', except: [], ip: 'fd00:1:0:0::0001', inside: true },
    { title: 'v6 /64: next network outside', cidr: 'fd00:1::/64', except: [], ip: 'fd00:1:0:1::1', inside: false },
    { title: 'v6 /128: the one address', cidr: 'fd00::7/128', except: [], ip: 'fd00::7', inside: true },
    { title: 'except: inside the except is denied', cidr: '10.0.0.0/8', except: ['10.1.0.0/16'], ip: '10.1.2.3', inside: false },
    { title: 'except: last address of the except is denied', cidr: '10.0.0.0/8', except: ['10.1.0.0/16'], ip: '10.1.255.255', inside: false },
    { title: 'except: just after the except is allowed', cidr: '10.0.0.0/8', except: ['10.1.0.0/16'], ip: '10.2.0.0', inside: true },
    { title: 'except: just before the except is allowed', cidr: '10.0.0.0/8', except: ['10.1.0.0/16'], ip: '10.0.255.255', inside: true },
    { title: 'except: any of several denies', cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.0.0/16'], ip: '10.2.0.1', inside: false },
    { title: 'except /32 denies one address', cidr: '10.0.0.0/24', except: ['10.0.0.7/32'], ip: '10.0.0.7', inside: false },
    { title: 'except /32 spares its neighbour', cidr: '10.0.0.0/24', except: ['10.0.0.7/32'], ip: '10.0.0.8', inside: true },
    { title: '0.0.0.0/0 except private ranges: public allowed', cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16'], ip: '8.8.8.8', inside: true },
    { title: '0.0.0.0/0 except private ranges: private denied', cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16'], ip: '192.168.1.1', inside: false },
    { title: 'v6 except denies', cidr: 'fd00::/16', except: ['fd00:1::/32'], ip: 'fd00:1::5', inside: false },
    { title: 'v6 except spares the rest', cidr: 'fd00::/16', except: ['fd00:1::/32'], ip: 'fd00:2::5', inside: true },
    // Host bits are dropped: 10.0.0.5/24 is read as 10.0.0.0/24 (with a warning, tested below).
    { title: 'a CIDR with host bits covers its whole network', cidr: '10.0.0.5/24', except: [], ip: '10.0.0.200', inside: true },
    // An except with host bits is read as its network too: 10.1.2.3/16 is 10.1.0.0/16.
    { title: 'an except with host bits covers its whole network', cidr: '10.0.0.0/8', except: ['10.1.2.3/16'], ip: '10.1.9.9', inside: false },
  ])('$title: $ip in $cidr except $except is $inside', ({ cidr, except, ip, inside }) => {
    const { block, problems } = compile({ cidr, except });
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(inIpBlock(parseAddress(ip)!, block!)).toBe(inside);
  });
});

describe('ipBlock validation', () => {
  const cidrError = (path: string, text: string): PolicyProblem => ({ severity: 'error', path, code: 'cidr', message: `${text} is not a valid CIDR` });
  const subsetError = (path: string, except: string, cidr: string): PolicyProblem => ({
    severity: 'error',
    path,
    code: 'except',
    message: `${except} must be a strict subset of cidr ${cidr}`,
  });

  it.each([
    { title: 'cidr missing', raw: {}, problems: [{ severity: 'error', path: 'b.cidr', code: 'required', message: 'is required' }] },
    { title: 'cidr empty', raw: { cidr: '' }, problems: [{ severity: 'error', path: 'b.cidr', code: 'required', message: 'is required' }] },
    { title: 'cidr without a prefix length', raw: { cidr: '10.0.0.0' }, problems: [cidrError('b.cidr', '10.0.0.0')] },
    { title: 'v4 prefix over 32', raw: { cidr: '10.0.0.0/33' }, problems: [cidrError('b.cidr', '10.0.0.0/33')] },
    { title: 'v6 prefix over 128', raw: { cidr: 'fd00::/129' }, problems: [cidrError('b.cidr', 'fd00::/129')] },
    { title: 'negative prefix', raw: { cidr: '10.0.0.0/-1' }, problems: [cidrError('b.cidr', '10.0.0.0/-1')] },
    { title: 'text prefix', raw: { cidr: '10.0.0.0/abc' }, problems: [cidrError('b.cidr', '10.0.0.0/abc')] },
    { title: 'empty prefix', raw: { cidr: '10.0.0.0/' }, problems: [cidrError('b.cidr', '10.0.0.0/')] },
    { title: 'two slashes', raw: { cidr: '10.0.0.0/8/9' }, problems: [cidrError('b.cidr', '10.0.0.0/8/9')] },
    { title: 'classful address part', raw: { cidr: '10.1/16' }, problems: [cidrError('b.cidr', '10.1/16')] },
    { title: 'leading zero in the address part', raw: { cidr: '010.0.0.0/8' }, problems: [cidrError('b.cidr', '010.0.0.0/8')] },
    { title: 'bad IPv6 address part', raw: { cidr: 'fd00::g/64' }, problems: [cidrError('b.cidr', 'fd00::g/64')] },
    { title: 'cidr a number', raw: { cidr: 10 }, problems: [cidrError('b.cidr', '10')] },
    { title: 'except equal to cidr', raw: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] }, problems: [subsetError('b.except[0]', '10.0.0.0/8', '10.0.0.0/8')] },
    { title: 'except outside cidr', raw: { cidr: '10.0.0.0/8', except: ['11.0.0.0/16'] }, problems: [subsetError('b.except[0]', '11.0.0.0/16', '10.0.0.0/8')] },
    { title: 'except wider than cidr', raw: { cidr: '10.0.0.0/16', except: ['10.0.0.0/8'] }, problems: [subsetError('b.except[0]', '10.0.0.0/8', '10.0.0.0/16')] },
    { title: 'except of the other family', raw: { cidr: '10.0.0.0/8', except: ['fd00::/64'] }, problems: [subsetError('b.except[0]', 'fd00::/64', '10.0.0.0/8')] },
    { title: 'v6 except equal to cidr', raw: { cidr: 'fd00::/64', except: ['fd00::/64'] }, problems: [subsetError('b.except[0]', 'fd00::/64', 'fd00::/64')] },
    // Only the bad entry is reported, at its own index.
    { title: 'second except not a CIDR', raw: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', 'nope'] }, problems: [cidrError('b.except[1]', 'nope')] },
    {
      title: 'except not a list',
      raw: { cidr: '10.0.0.0/8', except: '10.1.0.0/16' },
      problems: [{ severity: 'error', path: 'b.except', code: 'type', message: 'has the wrong type: except must be a list of CIDRs' }],
    },
    // With no cidr to compare against, the except entries are still checked for syntax.
    {
      title: 'cidr missing and except malformed: both reported',
      raw: { except: ['x'] },
      problems: [{ severity: 'error', path: 'b.cidr', code: 'required', message: 'is required' }, cidrError('b.except[0]', 'x')],
    },
    { title: 'ipBlock not an object', raw: '10.0.0.0/8', problems: [{ severity: 'error', path: 'b', code: 'type', message: 'has the wrong type: ipBlock must be an object' }] },
    { title: 'ipBlock a list', raw: ['10.0.0.0/8'], problems: [{ severity: 'error', path: 'b', code: 'type', message: 'has the wrong type: ipBlock must be an object' }] },
  ])('$title is rejected', ({ raw, problems }) => {
    const result = compile(raw);
    expect(result.problems).toEqual(problems);
  });

  it.each([
    { title: 'v4 host bits', cidr: '10.0.0.5/8', network: '10.0.0.0' },
    { title: 'v6 host bits', cidr: 'fd00::1/64', network: 'fd00::' },
  ])('$title give a warning and compile to the network address', ({ cidr, network }) => {
    const { block, problems } = compile({ cidr });
    expect(problems).toEqual([{ severity: 'warning', path: 'b.cidr', code: 'nonCanonicalCidr', message: `${cidr} has host bits set; it is read as its network address` }]);
    expect(block?.cidr.network.toString()).toBe(network);
  });

  it.each([
    { title: 'the IPv4 default route', raw: { cidr: '0.0.0.0/0' } },
    { title: 'the IPv6 default route', raw: { cidr: '::/0' } },
    { title: 'a /32', raw: { cidr: '10.0.0.1/32' } },
    { title: 'a /128', raw: { cidr: 'fd00::1/128' } },
    { title: 'except one prefix longer than cidr', raw: { cidr: '10.0.0.0/8', except: ['10.0.0.0/9'] } },
    { title: 'except a /32 at the top of cidr', raw: { cidr: '10.0.0.0/8', except: ['10.255.255.255/32'] } },
    { title: 'except null', raw: { cidr: '10.0.0.0/8', except: null } },
    { title: 'except empty', raw: { cidr: '10.0.0.0/8', except: [] } },
  ])('$title compiles with no problems', ({ raw }) => {
    const { block, problems } = compile(raw);
    expect(problems).toEqual([]);
    expect(block).toBeDefined();
  });
});

describe('describeIpBlock', () => {
  it.each([
    { raw: { cidr: '::/0' }, text: '::/0' },
    { raw: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.0.0/16'] }, text: '10.0.0.0/8 except 10.1.0.0/16, 10.2.0.0/16' },
  ])('$text', ({ raw, text }) => {
    expect(describeIpBlock(compile(raw).block!)).toBe(text);
  });
});
