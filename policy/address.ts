/**
 * IP addresses and ipBlocks. Parsing and containment come from ipaddr.js; this module adds
 * the strictness Kubernetes applies (four-part dotted IPv4 only), one canonical text form per
 * address (so "fd00::0001" and "fd00::1" are the same key, and IPv4-mapped IPv6 is IPv4),
 * and the ipBlock rule: inside `cidr` and inside none of `except`.
 */
import ipaddr from 'ipaddr.js';
import { show, type ProblemList } from './errors.js';

export type Address = ipaddr.IPv4 | ipaddr.IPv6;

export interface Cidr {
  text: string;
  network: Address;
  prefix: number;
  /** IPv4 only, as int32s: the network and mask, so the hot path tests containment with one AND. */
  v4Network?: number;
  v4Mask?: number;
}

export interface CompiledIpBlock {
  cidr: Cidr;
  except: readonly Cidr[];
}

// Flows repeat the same addresses endlessly: parse each text once. Bounded, and simply
// emptied when full, since a miss only costs one parse.
const PARSE_CACHE_LIMIT = 200_000;
const parsed = new Map<string, AddressEntry | null>();
const canonical = new WeakMap<Address, string>();

/** A parsed address with what the hot path asks of it, computed once. */
export interface AddressEntry {
  address: Address;
  /** The canonical text: the key of every by-IP index. */
  key: string;
  family: 4 | 6;
}

/** Parses (once per distinct text) an IPv4 or IPv6 address; undefined when it is not one. */
export function lookupAddress(text: string): AddressEntry | undefined {
  const hit = parsed.get(text);
  if (hit !== undefined) return hit ?? undefined;
  const address = parseUncached(text);
  const entry = address === undefined ? undefined : { address, key: canonicalAddress(address), family: family(address) };
  if (parsed.size >= PARSE_CACHE_LIMIT) parsed.clear();
  parsed.set(text, entry ?? null);
  return entry;
}

/** Parses an IPv4 or IPv6 address; undefined when it is not one. Callers must not mutate the result. */
export function parseAddress(text: string): Address | undefined {
  return lookupAddress(text)?.address;
}

function parseUncached(text: string): Address | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  if (text.includes(':')) {
    // Kubernetes rejects zone ids ("fe80::1%eth0"): they name an interface, not an address.
    if (text.includes('%') || !ipaddr.IPv6.isValid(text)) return undefined;
    const v6 = exactIpv6(text);
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
  }
  return ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text) : undefined;
}

/** A valid IPv6 text as the value it denotes. */
function exactIpv6(text: string): ipaddr.IPv6 {
  const v6 = ipaddr.IPv6.parse(text);
  // ipaddr.js reads the IPv4-compatible form "::a.b.c.d" as mapped; only "::ffff:a.b.c.d" is.
  if (v6.isIPv4MappedAddress() && text.includes('.') && !/^(0{0,4}:){0,5}:?ffff:/i.test(text)) {
    return new ipaddr.IPv6([0, 0, 0, 0, 0, 0, v6.parts[6] ?? 0, v6.parts[7] ?? 0]);
  }
  return v6;
}

/** The one text form used as a map key: dotted quad, or RFC 5952 for IPv6. */
export function canonicalAddress(address: Address): string {
  let text = canonical.get(address);
  if (text === undefined) {
    text = address.kind() === 'ipv6' ? (address as ipaddr.IPv6).toRFC5952String() : address.toString();
    canonical.set(address, text);
  }
  return text;
}

export function canonicalIp(text: string): string | undefined {
  const a = parseAddress(text);
  return a === undefined ? undefined : canonicalAddress(a);
}

/**
 * The one spelling of an address as PostgreSQL's `inet` compares it, for a text that is already
 * a valid address (contracts/ip-address.ts): IPv6 in RFC 5952, IPv4 as given. Unlike
 * canonicalIp, an IPv4-mapped address stays IPv6, because `inet` keeps ::ffff:10.0.0.1 and
 * 10.0.0.1 apart; and "::1.2.3.4" (IPv4-compatible) is not "::ffff:1.2.3.4".
 */
export function inetText(text: string): string {
  return text.includes(':') ? exactIpv6(text).toRFC5952String() : text;
}

export function family(address: Address): 4 | 6 {
  return address.kind() === 'ipv4' ? 4 : 6;
}

function parseCidr(text: unknown): { cidr: Cidr; hostBits: boolean } | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash === -1) return undefined;
  const ip = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const prefix = Number(bitsText);
  const address = ip.includes(':')
    ? ipaddr.IPv6.isValid(ip) && !ip.includes('%')
      ? ipaddr.IPv6.parse(ip)
      : undefined
    : ipaddr.IPv4.isValidFourPartDecimal(ip)
      ? ipaddr.IPv4.parse(ip)
      : undefined;
  if (address === undefined || prefix > (address.kind() === 'ipv4' ? 32 : 128)) return undefined;
  const network = address.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
  const hostBits = canonicalAddress(network) !== canonicalAddress(address);
  const cidr: Cidr = { text, network, prefix };
  const v4 = ipv4Int(network);
  if (v4 !== undefined) {
    cidr.v4Mask = prefix === 0 ? 0 : -1 << (32 - prefix);
    cidr.v4Network = v4 & cidr.v4Mask;
  }
  return { cidr, hostBits };
}

/** An IPv4 address as an int32 (the form Cidr.v4Network uses); undefined for IPv6. */
export function ipv4Int(address: Address): number | undefined {
  if (address.kind() !== 'ipv4') return undefined;
  const o = (address as ipaddr.IPv4).octets;
  return ((o[0] ?? 0) << 24) | ((o[1] ?? 0) << 16) | ((o[2] ?? 0) << 8) | (o[3] ?? 0);
}

export function inCidr(address: Address, cidr: Cidr): boolean {
  return address.kind() === cidr.network.kind() && address.match(cidr.network, cidr.prefix);
}

export function inIpBlock(address: Address, block: CompiledIpBlock): boolean {
  if (!inCidr(address, block.cidr)) return false;
  for (const e of block.except) if (inCidr(address, e)) return false;
  return true;
}

/** inIpBlock for an IPv4 address already turned into an int32 by ipv4Int: no ipaddr.js calls. */
export function inIpBlockV4(v4: number, block: CompiledIpBlock): boolean {
  const { v4Mask, v4Network } = block.cidr;
  if (v4Mask === undefined || (v4 & v4Mask) !== v4Network) return false;
  for (const e of block.except) if (e.v4Mask !== undefined && (v4 & e.v4Mask) === e.v4Network) return false;
  return true;
}

function compileExcept(raw: unknown, cidr: Cidr | undefined, path: string, problems: ProblemList): Cidr[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.error(path, 'type', 'except must be a list of CIDRs');
    return [];
  }
  const out: Cidr[] = [];
  raw.forEach((item, i) => {
    const parsed = parseCidr(item);
    const itemPath = `${path}[${i}]`;
    if (!parsed) {
      problems.error(itemPath, 'cidr', show(item));
      return;
    }
    const e = parsed.cidr;
    // Upstream requires each except to be a strict subset of cidr.
    if (cidr && !(inCidr(e.network, cidr) && e.prefix > cidr.prefix))
      problems.error(itemPath, 'except', `${e.text} must be a strict subset of cidr ${cidr.text}`);
    out.push(e);
  });
  return out;
}

export function compileIpBlock(raw: unknown, path: string, problems: ProblemList): CompiledIpBlock | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.error(path, 'type', 'ipBlock must be an object');
    return undefined;
  }
  const { cidr: cidrText, except } = raw as Record<string, unknown>;
  if (cidrText === undefined || cidrText === null || cidrText === '') {
    problems.error(`${path}.cidr`, 'required');
    compileExcept(except, undefined, `${path}.except`, problems);
    return undefined;
  }
  const parsed = parseCidr(cidrText);
  if (!parsed) {
    problems.error(`${path}.cidr`, 'cidr', show(cidrText));
    return undefined;
  }
  if (parsed.hostBits) problems.warn(`${path}.cidr`, 'nonCanonicalCidr', parsed.cidr.text);
  return { cidr: parsed.cidr, except: compileExcept(except, parsed.cidr, `${path}.except`, problems) };
}

export function describeIpBlock(block: CompiledIpBlock): string {
  const except = block.except.length > 0 ? ` except ${block.except.map((e) => e.text).join(', ')}` : '';
  return `${block.cidr.text}${except}`;
}
