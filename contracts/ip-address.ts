/**
 * Which IP address texts the broker accepts: exactly those that Node's `isIP` and PostgreSQL's
 * `inet` both take as a single host address. Node also accepts an IPv6 zone id (`fe80::1%eth0`,
 * a link-local address qualified by the interface it was seen on); `inet` has no room for it
 * and fails the whole transaction, so it is refused here, at validation, with the field named.
 * store/bad-batch-isolation.int.test.ts (in the broker) checks this verdict against a real
 * PostgreSQL for awkward spellings.
 */
import { isIP } from 'node:net';

/** Longest text form of an IPv6 address (an IPv4-mapped one, `ffff:...:255.255.255.255`). */
export const MAX_IP_LENGTH = 45;

/** Why `s` is not an address the store can keep, or undefined when it is one. */
export function ipProblem(s: string): string | undefined {
  if (s.length > MAX_IP_LENGTH || isIP(s) === 0) return 'must be an IPv4 or IPv6 address';
  if (s.includes('%')) return 'must not carry an IPv6 zone id (such as %eth0): the store keeps addresses only';
  return undefined;
}

export function isStorableIp(s: unknown): s is string {
  return typeof s === 'string' && ipProblem(s) === undefined;
}
