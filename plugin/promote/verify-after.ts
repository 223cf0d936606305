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
import { endLabel } from '../../contracts/flow-end-label.js';
import { noteLine } from '../output/note.js';
import { errorWidth } from '../output/width.js';

/** How often the broker is asked while verifying. */
export const VERIFY_POLL_MS = 2000;

export interface VerifyAfterOptions {
  duration: { text: string; ms: number };
  broker: BrokerOptions;
  kc: KubeConfig;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface Judged {
  /** Flows whose outcome matched the prediction. */
  agrees: number;
  /** Flows seen but not yet conclusive (too few tries, or only one end observed). */
  inconclusive: number;
}

const key = (r: EnforcementRow): string => [r.policy.uid, r.direction, endLabel(r.src), endLabel(r.dst), r.port, r.protocol, r.outcome].join('|');

/** Verifies the applied policies for the duration; returns how many mismatched flows were found. */
export async function verifyAfterApply(nps: readonly NetworkPolicyObject[], o: VerifyAfterOptions, io: CliIO): Promise<number> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const start = now();
  const since = new Date(start).toISOString();
  const conn = await openBroker(o.broker, io, () => Promise.resolve(o.kc));
  const seen = new Set<string>();
  const note = (text: string): void => {
    io.stderr.write(noteLine(text.trimEnd(), errorWidth(io)));
  };
  try {
    const client = brokerClient(conn);
    note(`verify: watching ${nps.length} NetworkPolic${nps.length === 1 ? 'y' : 'ies'} for ${o.duration.text} (enforced as predicted?)`);
    for (;;) {
      for (const np of nps) {
        const q = { namespace: np.metadata.namespace, policy: np.metadata.name, since, mismatches: 'true' };
        const report = await client.getJson<EnforcementReport>('/v1/enforcement', q);
        for (const r of report.rows.filter((x) => !seen.has(key(x)))) {
          seen.add(key(r));
          note(`verify: ${r.policy.namespace}/${r.policy.name}: ${r.outcome} ${endLabel(r.src)} -> ${endLabel(r.dst)}:${r.port}/${r.protocol}: ${r.explanation}`);
        }
      }
      const left = start + o.duration.ms - now();
      if (left <= 0) break;
      await sleep(Math.min(VERIFY_POLL_MS, left));
    }
    // "No mismatches" means something only if flows were judged: with no traffic since the apply,
    // nothing was checked, and saying it behaved as predicted would be a false all-clear.
    const judged = seen.size > 0 ? { agrees: 0, inconclusive: 0 } : await judgedFlows(client, nps, since);
    note(closingLine(seen.size, judged, o.duration.text));
  } finally {
    await conn.close();
  }
  return seen.size;
}

/** What the broker judged against the policies since the apply, by outcome. */
async function judgedFlows(client: ReturnType<typeof brokerClient>, nps: readonly NetworkPolicyObject[], since: string): Promise<Judged> {
  const judged: Judged = { agrees: 0, inconclusive: 0 };
  for (const np of nps) {
    const q = { namespace: np.metadata.namespace, policy: np.metadata.name, since };
    for (const r of (await client.getJson<EnforcementReport>('/v1/enforcement', q)).rows) {
      if (r.outcome === 'Agrees') judged.agrees++;
      else if (r.outcome === 'Inconclusive') judged.inconclusive++;
    }
  }
  return judged;
}

const flows = (n: number): string => `${n} flow${n === 1 ? '' : 's'}`;

/** The closing line: mismatches, else what was checked, and never an all-clear when nothing was. */
export function closingLine(mismatched: number, judged: Judged, duration: string): string {
  if (mismatched > 0) {
    return `verify: ${mismatched} mismatched flow${mismatched === 1 ? '' : 's'} in ${duration}: the policies are not enforced as predicted (kubectl kguardian verify --all lists them)\n`;
  }
  if (judged.agrees === 0) {
    const seen = judged.inconclusive > 0 ? `${flows(judged.inconclusive)} seen, none conclusive yet` : 'no flow was judged against the applied policies';
    return `verify: ${seen} in ${duration}, so nothing was checked: send traffic through them and run kubectl kguardian verify\n`;
  }
  const pending = judged.inconclusive > 0 ? ` (${flows(judged.inconclusive)} not conclusive yet)` : '';
  return `verify: no mismatches in ${duration}: ${flows(judged.agrees)} judged against the applied policies behaved as predicted${pending} (kubectl kguardian verify keeps checking)\n`;
}
