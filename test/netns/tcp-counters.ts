/**
 * A network namespace's own view of its TCP handshakes, for tests that compare the two ends of
 * a burst of connections. The kernel keeps SNMP counters per namespace (/proc/net/netstat read
 * inside it), and `ss` lists the handshakes a listener has not settled yet. Together they say
 * where a connection the client saw established went when the server never accepted it.
 */
import type { LabPod, NetnsLab } from './lab.js';

/** The TcpExt counters of a namespace, by name (EmbryonicRsts, ListenOverflows, ...). */
export type TcpExtCounters = ReadonlyMap<string, number>;

/** Parses /proc/net/netstat: pairs of lines, a header of names and a line of values per group. */
export function parseNetstat(text: string, group = 'TcpExt'): TcpExtCounters {
  const lines = text.split('\n').filter((l) => l.startsWith(`${group}:`));
  const [names, values] = lines.map((l) => l.slice(group.length + 1).trim().split(/\s+/));
  if (!names || !values || names.length !== values.length) throw new Error(`/proc/net/netstat has no ${group} pair of lines`);
  return new Map(names.map((name, i) => [name, Number(values[i])]));
}

export async function tcpExtCounters(lab: NetnsLab, pod: LabPod): Promise<TcpExtCounters> {
  return parseNetstat(await lab.exec(pod, 'cat', ['/proc/net/netstat']));
}

/** Handshakes in SYN-RECV at `port` in `pod`: neither accepted-able yet nor given up. */
export async function pendingHandshakes(lab: NetnsLab, pod: LabPod, port: number): Promise<number> {
  const out = await lab.exec(pod, 'ss', ['-H', '-tn', 'state', 'syn-recv', `sport = :${port}`]);
  return out.split('\n').filter((l) => l.trim() !== '').length;
}

/**
 * Resolves once the listener at `port` has settled every handshake (none left in SYN-RECV), or
 * after `attempts` checks `intervalMs` apart: a handshake whose last ACK was lost waits for the
 * server's SYN-ACK retransmission (1 s, then 2 s, ...), which the client's closed socket answers
 * with RST. Returns the number still pending, so the caller can say so in its assertion.
 */
export async function settleHandshakes(lab: NetnsLab, pod: LabPod, port: number, attempts = 60, intervalMs = 500): Promise<number> {
  let pending = await pendingHandshakes(lab, pod, port);
  for (let i = 1; i < attempts && pending > 0; i++) {
    await new Promise((r) => setTimeout(r, intervalMs));
    pending = await pendingHandshakes(lab, pod, port);
  }
  return pending;
}
