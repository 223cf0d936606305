/**
 * The address a daemon's HTTP server binds (HOST), shared by the broker's and the evaluator's
 * config. In a pod it must be every interface (0.0.0.0) for the Service to reach it; on a
 * developer's machine (the playground) loopback keeps the unauthenticated demo off the network.
 */
import { isIP } from 'node:net';

export const DEFAULT_HOST = '0.0.0.0';

// A DNS name (RFC 1123 labels) such as localhost; Node resolves it when it binds. The last label
// is not all digits (RFC 3696), so a mistyped address such as 10.0.0.256 is not taken for a name.
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)*(?![0-9]+$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/i;

/** HOST from the environment (default 0.0.0.0), or why it cannot be bound: an IP address or a host name, nothing else. */
export function listenHost(raw: string | undefined): { host: string } | { problem: string } {
  if (raw === undefined || raw === '') return { host: DEFAULT_HOST };
  if (isIP(raw) !== 0 || HOSTNAME.test(raw)) return { host: raw };
  return { problem: `must be an IP address (such as 0.0.0.0, 127.0.0.1 or ::) or a host name, not ${JSON.stringify(raw)}` };
}
