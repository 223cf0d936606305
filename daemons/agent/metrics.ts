/**
 * The agent's Prometheus metrics. Loss is never silent: the kernel's ring buffer drops, UDP table
 * errors and LRU evictions (from the loader's counters records), the observations the broker
 * buffer had to drop, and connections to Services whose backend stayed unknown (conntrack lookups
 * given up, records released unpaired) are counters here, and every increase of a loss is also
 * logged once.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { ShipperStats } from './batch-shipper.js';
import type { ConntrackRecord, CountersRecord } from './record-decoder.js';

type KernelLoss = 'ringbufDrops' | 'udpMapErrors' | 'udpEvictions' | 'udpUnparsed';

const KERNEL_LOSS: readonly [KernelLoss, string, string][] = [
  ['ringbufDrops', 'kguardian_agent_kernel_ringbuf_drops_total', 'Flow records lost because the kernel ring buffer was full.'],
  ['udpMapErrors', 'kguardian_agent_kernel_udp_map_errors_total', 'UDP flows the kernel could not insert into its flow table.'],
  ['udpEvictions', 'kguardian_agent_kernel_udp_evictions_total', 'UDP flows evicted from the full kernel LRU table (lower bound).'],
  ['udpUnparsed', 'kguardian_agent_kernel_udp_unparsed_total', 'UDP packets whose ports could not be read (fragments, extension headers).'],
];

type ConntrackField = 'lookups' | 'misses' | 'errors';

const CONNTRACK: readonly [ConntrackField, string, string][] = [
  ['lookups', 'kguardian_agent_service_conntrack_lookups_total', 'Outbound flow records to a Service address kg-loader looked up in conntrack.'],
  ['misses', 'kguardian_agent_service_conntrack_misses_total', 'Conntrack lookups given up: no translated entry within the retry window, retry list full, or lookups off.'],
  ['errors', 'kguardian_agent_service_conntrack_errors_total', 'Netlink failures of conntrack lookups other than "no such entry".'],
];

/** What the metrics read from Service pairing (service-pairing.ts). */
export interface PairingStats {
  conntrack: number;
  unpaired: number;
}

export class AgentMetrics {
  readonly registry = new Registry();
  private readonly kernel = new Map<KernelLoss, Counter>();
  private readonly last = new Map<string, number>();
  private readonly udpFlows = new Gauge({ name: 'kguardian_agent_kernel_udp_flows', help: 'UDP flows in the kernel table at the last sweep.', registers: [this.registry] });
  private readonly shipped = new Counter({ name: 'kguardian_agent_observations_sent_total', help: 'Observations the broker accepted.', registers: [this.registry] });
  private readonly dropped = new Counter({ name: 'kguardian_agent_observations_dropped_total', help: 'Observations dropped because the broker buffer was full.', registers: [this.registry] });
  private readonly rejected = new Counter({ name: 'kguardian_agent_observations_rejected_total', help: 'Observations in batches the broker refused as invalid.', registers: [this.registry] });
  private readonly authRetries = new Counter({ name: 'kguardian_agent_broker_auth_retries_total', help: 'Sends retried because the broker refused the token (401) or the access (403); the batch is kept.', registers: [this.registry] });
  private readonly buffered = new Gauge({ name: 'kguardian_agent_observations_buffered', help: 'Observations waiting for the broker.', registers: [this.registry] });
  private readonly pods = new Gauge({ name: 'kguardian_agent_pods_known', help: 'Pods of this node the identity index knows (0: local ends resolve to unknown).', registers: [this.registry] });

  private readonly conntrack = new Map<ConntrackField, Counter>();
  private readonly conntrackAvailable = new Gauge({ name: 'kguardian_agent_service_conntrack_available', help: '1 when kg-loader can look Services up in conntrack (ctnetlink answered), 0 when not.', registers: [this.registry] });
  private readonly translated = new Counter({ name: 'kguardian_agent_service_conntrack_total', help: 'Connections to a Service attributed to their backend through the host conntrack table (distinct flows).', registers: [this.registry] });
  private readonly unpaired = new Counter({ name: 'kguardian_agent_service_unpaired_total', help: 'Flow records to a Service address shipped with the Service address: no conntrack translation and no backend on this node within the hold time.', registers: [this.registry] });

  constructor(private readonly log: (line: string) => void) {
    for (const [field, name, help] of KERNEL_LOSS) this.kernel.set(field, new Counter({ name, help, registers: [this.registry] }));
    for (const [field, name, help] of CONNTRACK) this.conntrack.set(field, new Counter({ name, help, registers: [this.registry] }));
  }

  /** kg-loader's conntrack lookup totals (with --service-cidr). */
  onConntrack(rec: ConntrackRecord): void {
    for (const [field, name] of CONNTRACK) {
      const grew = this.grow(name, rec[field]);
      if (grew === 0) continue;
      this.conntrack.get(field)?.inc(grew);
      // With lookups off every connection to a Service misses; start-up said so once already.
      if (field === 'errors' || (field === 'misses' && rec.available)) this.log(`kguardian-agent: ${grew} conntrack lookup(s) of Service connections ${field === 'misses' ? 'given up' : 'failed'} (${name})`);
    }
    this.conntrackAvailable.set(rec.available ? 1 : 0);
  }

  onPairing(stats: PairingStats): void {
    this.translated.inc(this.grow('conntrack', stats.conntrack));
    this.unpaired.inc(this.grow('unpaired', stats.unpaired));
  }

  /** Counters records carry running totals; add what grew since the last one. */
  onCounters(rec: CountersRecord): void {
    for (const [field, name] of KERNEL_LOSS) {
      const grew = this.grow(name, rec[field]);
      if (grew > 0) {
        this.kernel.get(field)?.inc(grew);
        if (field !== 'udpUnparsed') this.log(`kguardian-agent: kernel lost ${grew} (${name})`);
      }
    }
    this.udpFlows.set(rec.udpLiveFlows);
  }

  onShipper(stats: ShipperStats): void {
    this.shipped.inc(this.grow('sent', stats.sent));
    this.dropped.inc(this.grow('dropped', stats.dropped));
    this.rejected.inc(this.grow('rejected', stats.rejected));
    this.authRetries.inc(this.grow('authRetries', stats.authRetries));
    this.buffered.set(stats.buffered);
  }

  onPods(known: number): void {
    this.pods.set(known);
  }

  private grow(key: string, total: number): number {
    const before = this.last.get(key) ?? 0;
    this.last.set(key, total);
    return Math.max(0, total - before);
  }
}
