/**
 * The playground's cluster DNS: a real DNS server over UDP that answers A queries for the
 * playground's names (NAME.NAMESPACE.svc.cluster.local -> the pod's address, like a headless
 * Service), NXDOMAIN for any other name in the zone and REFUSED outside it. Packets are parsed and
 * built with dns-packet rather than by hand, so any resolver (c-ares in node's dns.Resolver, dig)
 * gets well-formed answers.
 */
import { createSocket, type Socket } from 'node:dgram';
import { AUTHORITATIVE_ANSWER, decode, encode, RECURSION_DESIRED, type Answer, type DecodedPacket } from 'dns-packet';

export const CLUSTER_DOMAIN = 'svc.cluster.local';

/** The name a pod is known by in the playground's DNS. */
export const serviceName = (name: string, namespace: string): string => `${name}.${namespace}.${CLUSTER_DOMAIN}`;

/** Name (any case, no trailing dot) -> IPv4 address. */
export type Zone = ReadonlyMap<string, string>;

const RCODE = { NOERROR: 0, NXDOMAIN: 3, REFUSED: 5 } as const;

function inZone(name: string): boolean {
  return name === CLUSTER_DOMAIN || name.endsWith(`.${CLUSTER_DOMAIN}`);
}

/** The answer to one query packet; undefined for what is not a query (it is dropped, as a server does). */
export function answer(query: Buffer, zone: Zone): Buffer | undefined {
  let q: DecodedPacket;
  try {
    q = decode(query);
  } catch {
    return undefined;
  }
  if (q.type !== 'query') return undefined;
  const question = q.questions?.[0];
  const name = (question?.name ?? '').toLowerCase().replace(/\.$/, '');
  const address = zone.get(name);
  const rcode = question && inZone(name) ? (address === undefined ? RCODE.NXDOMAIN : RCODE.NOERROR) : RCODE.REFUSED;
  const answers: Answer[] = question?.type === 'A' && address !== undefined ? [{ type: 'A', name: question.name, ttl: 5, data: address }] : [];
  return encode({
    type: 'response',
    id: q.id ?? 0,
    // Authoritative for the zone; echo the client's recursion-desired bit; rcode in the low 4 bits.
    flags: AUTHORITATIVE_ANSWER | ((q.flags ?? 0) & RECURSION_DESIRED) | rcode,
    questions: q.questions ?? [],
    answers,
  });
}

/** Serves `zone` on UDP port `port` of every local address; resolves once bound. */
export function serveDns(port: number, zone: Zone, host = '0.0.0.0'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.on('message', (msg, rinfo) => {
      const reply = answer(msg, zone);
      if (reply) sock.send(reply, rinfo.port, rinfo.address);
    });
    sock.once('error', reject);
    sock.bind(port, host, () => { resolve(sock); });
  });
}

/** `NAME=IP` arguments (traffic-tool.ts `serve a:NAME=IP`) as a zone. */
export function zoneFrom(records: readonly string[]): Zone {
  return new Map(
    records.map((r) => {
      const [name = '', ip = ''] = r.split('=');
      return [name.toLowerCase(), ip];
    }),
  );
}
