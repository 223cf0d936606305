/**
 * The agent's record path in one place: decoded kernel records -> Service pairing (ClusterIP to
 * backend, from conntrack NAT records or the backend's inbound record) -> per-bucket
 * de-duplication with identity -> FlowObservations for the broker. Counters and conntrack records
 * are kept as the latest loss and lookup figures for metrics and logs.
 */
import { FlowAggregator, type AggregatorOptions } from './flow-aggregator.js';
import type { FlowObservation } from './flow-observation.js';
import type { ConntrackRecord, CountersRecord, LoaderRecord } from './record-decoder.js';
import { ServicePairing, type ServicePairingOptions } from './service-pairing.js';

export type FlowPipelineOptions = AggregatorOptions & ServicePairingOptions;

export class FlowPipeline {
  readonly pairing: ServicePairing;
  readonly aggregator: FlowAggregator;
  /** The loader's latest loss and health counters. */
  counters: CountersRecord | undefined;
  /** The loader's latest conntrack lookup counters (only with --service-cidr). */
  conntrack: ConntrackRecord | undefined;

  constructor(options: FlowPipelineOptions) {
    this.pairing = new ServicePairing(options);
    this.aggregator = new FlowAggregator(options);
  }

  push(records: readonly LoaderRecord[], nowMs: number): void {
    for (const rec of records) {
      if (rec.kind === 'counters') {
        this.counters = rec;
        continue;
      }
      if (rec.kind === 'conntrack') {
        this.conntrack = rec;
        continue;
      }
      const ready = rec.kind === 'nat' ? this.pairing.pushNat(rec, nowMs) : this.pairing.push(rec, nowMs);
      for (const r of ready) this.aggregator.add(r);
    }
  }

  /** Observations of closed buckets (everything when `all`, e.g. at shutdown). */
  flush(nowMs: number, all = false): FlowObservation[] {
    for (const rec of this.pairing.expire(nowMs, all)) this.aggregator.add(rec);
    return this.aggregator.flush(nowMs, all);
  }
}
