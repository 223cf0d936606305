/**
 * `audit promote --apply --verify DURATION`: once the NetworkPolicies are applied, keep checking
 * them against what the kernel sees (the broker's GET /v1/enforcement, as `verify` reads it) for
 * DURATION, printing each mismatched flow on stderr as soon as the broker has judged it, then a
 * closing line. Only flows observed after the apply count: earlier ones were judged before the
 * policy existed.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { EnforcementReport, EnforcementRow } from '../../contracts/enforcement.js';
import { brokerClient } from '../broker/client.js';
import { openBroker } from '../broker/connect.js';
import type { BrokerOptions } from '../broker/types.js';
import type { CliIO } from '../io.js';
import type { NetworkPolicyObject } from './strip.js';

/** How often the broker is asked while verifying. */
export const VERIFY_POLL_MS = 2000;

export interface VerifyAfterOptions {
  duration: { text: string; ms: number };
  broker: BrokerOptions;
  kc: KubeConfig;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const end = (e: EnforcementRow['src']): string => (e.pod ? `${e.namespace}/${e.pod}` : e.ip);
const key = (r: EnforcementRow): string => [r.policy.uid, r.direction, end(r.src), end(r.dst), r.port, r.protocol, r.outcome].join('|');

/** Verifies the applied policies for the duration; returns how many mismatched flows were found. */
export async function verifyAfterApply(nps: readonly NetworkPolicyObject[], o: VerifyAfterOptions, io: CliIO): Promise<number> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const start = now();
  const since = new Date(start).toISOString();
  const conn = await openBroker(o.broker, io, () => Promise.resolve(o.kc));
  const seen = new Set<string>();
  try {
    const client = brokerClient(conn);
    io.stderr.write(`verify: watching ${nps.length} NetworkPolic${nps.length === 1 ? 'y' : 'ies'} for ${o.duration.text} (enforced as predicted?)\n`);
    for (;;) {
      for (const np of nps) {
        const q = { namespace: np.metadata.namespace, policy: np.metadata.name, since, mismatches: 'true' };
        const report = await client.getJson<EnforcementReport>('/v1/enforcement', q);
        for (const r of report.rows.filter((x) => !seen.has(key(x)))) {
          seen.add(key(r));
          io.stderr.write(`verify: ${r.policy.namespace}/${r.policy.name}: ${r.outcome} ${end(r.src)} -> ${end(r.dst)}:${r.port}/${r.protocol}: ${r.explanation}\n`);
        }
      }
      const left = start + o.duration.ms - now();
      if (left <= 0) break;
      await sleep(Math.min(VERIFY_POLL_MS, left));
    }
  } finally {
    await conn.close();
  }
  io.stderr.write(seen.size === 0
    ? `verify: no mismatches in ${o.duration.text}: every flow judged against the applied policies behaved as predicted (kubectl kguardian verify keeps checking)\n`
    : `verify: ${seen.size} mismatched flow${seen.size === 1 ? '' : 's'} in ${o.duration.text}: the policies are not enforced as predicted (kubectl kguardian verify --all lists them)\n`);
  return seen.size;
}
