/**
 * The addresses of the host's own interfaces, as the agent sees them from the host's network
 * namespace (a hostNetwork DaemonSet). A Node object lists only its InternalIP/ExternalIP, but
 * the host also owns other addresses: on a CNI bridge node, the bridge's gateway address (for
 * instance 10.254.128.1 on kgc0) is the source of everything the host sends to its pods over the
 * bridge, the kubelet's probes included. Without these, such a peer resolves to `external` and
 * reads as an unknown outsider; with them it is kind `node`, like the Node's own addresses.
 *
 * Loopback is left out (inside a pod it is the pod itself), and so are IPv6 link-local addresses
 * (fe80::/10: every interface of every pod has one, they identify nothing across links).
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export function hostAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string[] {
  const out = new Set<string>();
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      if (info.internal) continue;
      if (info.family === 'IPv6' && /^fe[89ab]/i.test(info.address)) continue;
      out.add(info.address);
    }
  }
  return [...out];
}

/** How often the host's addresses are read again: a CNI bridge appears with the node's first pod. */
export const HOST_ADDRESSES_REFRESH_MS = 30_000;
