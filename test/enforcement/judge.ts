/**
 * Compares kguardian's verdicts with the enforcer's drops, probe by probe.
 *
 * kguardian keeps one verdict per policy, direction and flow: a policy that selects the pod and has rules
 * for the direction says Allow when one of its rules admits the flow, WouldDeny otherwise. Policies add
 * up as the API says: in a direction where at least one policy selects the pod, the flow passes only if
 * one of them allows it; and it needs to pass both directions. So kguardian says the flow would be denied
 * when, in some direction, it has verdicts of the scenario's policies and all of them are WouldDeny.
 */
import type { Direction, Protocol, Verdict } from '../../policy/types.js';
import type { Deviation } from './kube-router-model.js';

/** A verdict as the broker serves it (GET /audit/verdicts), the fields read here. */
export interface BrokerVerdict {
  policy: { namespace: string; name: string };
  direction: Direction;
  verdict: Verdict;
  src: { namespace: string; pod: string };
  dst: { namespace: string; pod: string };
  port: number;
  protocol: Protocol;
  reason: string;
  /** Conversations the verdict stands for. */
  count: number;
}

/** `ns/pod->ns/pod:port/PROTO` in the copy's names. */
export function flowKey(src: { namespace: string; pod: string }, dst: { namespace: string; pod: string }, port: number, protocol: string): string {
  return `${src.namespace}/${src.pod}->${dst.namespace}/${dst.pod}:${port}/${protocol}`;
}

export interface KguardianJudgement {
  denied: boolean;
  /** The reasons of the deciding verdicts (the WouldDeny ones of the denying direction, else the Allow ones). */
  reasons: string[];
  /** Policies heard per direction. */
  verdicts: { direction: Direction; policy: string; verdict: Verdict }[];
}

/** Index of verdicts by flow key, for the policies whose names start with a scenario's prefix. */
export class VerdictIndex {
  private readonly byFlow = new Map<string, BrokerVerdict[]>();

  constructor(verdicts: Iterable<BrokerVerdict>) {
    for (const v of verdicts) {
      const key = flowKey(v.src, v.dst, v.port, v.protocol);
      const list = this.byFlow.get(key);
      if (list) list.push(v);
      else this.byFlow.set(key, [v]);
    }
  }

  /** kguardian's judgement of one flow under the policies named `PREFIX-*`. */
  judge(key: string, prefix: string): KguardianJudgement {
    const mine = (this.byFlow.get(key) ?? []).filter((v) => v.policy.name.startsWith(`${prefix}-`));
    // One row per policy and direction: replays store a row per time slot and reason, all alike.
    const seen = new Map<string, BrokerVerdict>();
    for (const v of mine) seen.set(`${v.direction} ${v.policy.namespace}/${v.policy.name} ${v.verdict}`, v);
    const distinct = [...seen.values()];
    let denied = false;
    const reasons: string[] = [];
    for (const direction of ['Egress', 'Ingress'] as const) {
      const d = distinct.filter((v) => v.direction === direction);
      if (d.length > 0 && d.every((v) => v.verdict === 'WouldDeny')) {
        denied = true;
        reasons.push(...d.map((v) => v.reason));
      }
    }
    if (!denied) reasons.push(...distinct.filter((v) => v.verdict === 'Allow').map((v) => v.reason));
    return {
      denied,
      reasons: [...new Set(reasons)],
      verdicts: distinct.map((v) => ({ direction: v.direction, policy: `${v.policy.namespace}/${v.policy.name}`, verdict: v.verdict })),
    };
  }
}

export type Classification = 'kguardian bug' | 'kube-router deviation' | 'capture gap';

export interface Disagreement {
  scenario: string;
  title: string;
  flow: string;
  kguardian: 'WouldDeny' | 'Allow';
  reasons: string[];
  /** The enforced probe's settled result, the one compared. */
  enforcer: string;
  /** Its first result, before a disagreement was tried again after a fresh sync. */
  enforcerFirst: string;
  classification: Classification;
  /** For a kube-router deviation: the departures from the API documentation that decide this probe. */
  deviations?: Deviation[];
  explanation: string;
}

export interface Tally {
  probes: number;
  agree: number;
  scenarios: number;
}

export function summaryLine(t: Tally): string {
  return `enforcement: ${t.agree}/${t.probes} probes agree (${t.scenarios} scenarios)`;
}
