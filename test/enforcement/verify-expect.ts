/**
 * What `verify` must report for the enforced probes of the differential test: kguardian's evaluator
 * predicts each observed end of a flow from the enforced NetworkPolicies (egress at the source, ingress at
 * the destination), the broker sums what the agent saw of it and classifies the sums
 * (daemons/broker/verify/enforcement.ts). So, from the API's judgement of each direction (the model with
 * no deviation, `apiSides`) and what each enforced try of the probe did, the mismatches it must report are
 * known exactly:
 *
 * | the probe                 | API, egress | API, ingress | protocol | verify says                      |
 * |---------------------------|-------------|--------------|----------|----------------------------------|
 * | some try connected        | any         | deny         | any      | NotEnforced at the destination   |
 * | some try connected        | deny        | any          | TCP      | NotEnforced at the source        |
 * | some try connected        | deny        | any          | UDP      | nothing: UDP seen leaving its    |
 * |                           |             |              |          | source proves no delivery        |
 * | no try connected          | allow       | not deny     | TCP      | DroppedElsewhere at the source,  |
 * |                           |             |              |          | once it failed MIN_FAILURES times|
 * | no try connected          | unselected  | allow        | any      | nothing: the destination saw no  |
 * |                           |             |              |          | packet, the source no policy     |
 * | no try connected          | allow       | not deny     | UDP      | nothing: a datagram that left    |
 * |                           |             |              |          | counts as seen, never failed     |
 * | everything else           |             |              |          | nothing (Agrees, Inconclusive)   |
 *
 * The source's observation of a flow denied only at the destination has no prediction (the evaluator names
 * the denying side's policies, and that side saw nothing when the flow failed). Mismatches the enforcer's
 * drops cause but verify cannot see (the UDP and unselected rows) are `invisible`.
 */
import type { Outcome } from '../../contracts/enforcement.js';
import { MIN_FAILURES } from '../../daemons/broker/verify/enforcement.js';
import type { Direction, Protocol } from '../../policy/types.js';
import type { ApiSide } from './kube-router-model.js';

export type Mismatch = Extract<Outcome, 'NotEnforced' | 'DroppedElsewhere'>;

export interface VerifyProbe {
  protocol: Protocol;
  /** The API's judgement of each direction: what the evaluator predicts from the enforced NetworkPolicies. */
  sides: { egress: ApiSide; ingress: ApiSide };
  /** Each enforced try of the probe in its round, in order: whether it connected. */
  tries: readonly boolean[];
}

export interface ExpectedMismatch {
  /** The observed end: Egress at the source, Ingress at the destination. */
  direction: Direction;
  outcome: Mismatch;
}

export interface Expectation {
  mismatches: ExpectedMismatch[];
  /** The enforcer did otherwise than the API says, in a way no observed end can show. */
  invisible: boolean;
}

export function expectVerify(p: VerifyProbe): Expectation {
  const { egress, ingress } = p.sides;
  const connected = p.tries.some(Boolean);
  const mismatches: ExpectedMismatch[] = [];
  if (connected) {
    if (ingress === 'deny') mismatches.push({ direction: 'Ingress', outcome: 'NotEnforced' });
    if (egress === 'deny' && p.protocol === 'TCP') mismatches.push({ direction: 'Egress', outcome: 'NotEnforced' });
    // Denied at the source only, over UDP: the enforcer let it through and no end can say so.
    return { mismatches, invisible: mismatches.length === 0 && egress === 'deny' };
  }
  const apiAllows = egress !== 'deny' && ingress !== 'deny';
  if (!apiAllows) return { mismatches, invisible: false };
  if (egress === 'allow' && p.protocol === 'TCP' && p.tries.length >= MIN_FAILURES) {
    mismatches.push({ direction: 'Egress', outcome: 'DroppedElsewhere' });
  }
  return { mismatches, invisible: mismatches.length === 0 && p.tries.length > 0 };
}

/** A mismatched row of GET /v1/enforcement, tied to the probe whose flow it is. */
export interface ReportedMismatch {
  /** The probe's key in its round: `ROUND COPY x/a->y/b:80/TCP`. */
  probe: string;
  direction: Direction;
  outcome: Mismatch;
  /** `namespace/name` of the NetworkPolicy the row names. */
  policy: string;
  /** The policy belongs to the scenario enforced on that copy in that round. */
  ownScenario: boolean;
}

export interface Comparison {
  /** Reported rows matching an expected mismatch, and their count. */
  matched: number;
  /** Reported rows no expectation explains: `PROBE DIRECTION OUTCOME (POLICY)`. */
  unexplained: string[];
  /** Expected mismatches with no reported row: `PROBE DIRECTION OUTCOME`. */
  missed: string[];
}

/** Reported mismatches against expected ones, per probe, observed end and outcome (several policies may decide one end). */
export function compareMismatches(expected: ReadonlyMap<string, readonly ExpectedMismatch[]>, reported: readonly ReportedMismatch[]): Comparison {
  const key = (probe: string, direction: Direction, outcome: Mismatch): string => `${probe} ${direction} ${outcome}`;
  const want = new Set([...expected].flatMap(([probe, list]) => list.map((m) => key(probe, m.direction, m.outcome))));
  const seen = new Set<string>();
  const unexplained: string[] = [];
  let matched = 0;
  for (const r of reported) {
    const k = key(r.probe, r.direction, r.outcome);
    if (want.has(k) && r.ownScenario) {
      matched++;
      seen.add(k);
    } else {
      unexplained.push(`${k} (${r.policy}${r.ownScenario ? '' : ', not a policy of the scenario enforced there'})`);
    }
  }
  return { matched, unexplained, missed: [...want].filter((k) => !seen.has(k)).sort() };
}

export interface VerifyTally {
  mismatches: number;
  probes: number;
  scenarios: number;
  /** Mismatches no kube-router deviation (or an enforcer that changed its mind between tries) explains. */
  unexplained: number;
  missed: number;
}

export function verifyLine(t: VerifyTally): string {
  const tail = t.unexplained === 0 && t.missed === 0 ? 'all explained' : `${t.unexplained} unexplained, ${t.missed} expected and not reported`;
  return `verify (enforcer on): ${t.mismatches} mismatches over ${t.probes} probes (${t.scenarios} scenarios), ${tail}`;
}
