import { describe, expect, it } from 'vitest';
import type { ShipperStats } from './batch-shipper.js';
import { AgentMetrics } from './metrics.js';

const stats = (over: Partial<ShipperStats>): ShipperStats => ({ sent: 0, dropped: 0, rejected: 0, retries: 0, authRetries: 0, buffered: 0, ...over });

async function value(metrics: AgentMetrics, name: string): Promise<number | undefined> {
  const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return m?.values[0]?.value;
}

describe('AgentMetrics from the shipper', () => {
  it('counts what the shipper\'s running totals grew by, auth retries included', async () => {
    const metrics = new AgentMetrics(() => undefined);
    metrics.onShipper(stats({ sent: 10, authRetries: 2, buffered: 7 }));
    metrics.onShipper(stats({ sent: 15, authRetries: 5, rejected: 1, buffered: 0 }));
    expect(await value(metrics, 'kguardian_agent_broker_auth_retries_total')).toBe(5);
    expect(await value(metrics, 'kguardian_agent_observations_sent_total')).toBe(15);
    expect(await value(metrics, 'kguardian_agent_observations_rejected_total')).toBe(1);
    expect(await value(metrics, 'kguardian_agent_observations_buffered')).toBe(0);
  });
});
