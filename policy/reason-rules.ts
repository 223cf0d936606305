/**
 * Which rule a verdict's reason names, read back from the sentence explain.ts wrote: the rule
 * that allowed the flow, or for a would-deny the policy having no rules of that direction, a rule
 * that admits the peer on other ports only, or one that matches its labels in another namespace.
 * The web view's row detail shows that rule of the spec. No imports, so the page's bundle can take
 * it; reason-rules.test.ts runs the engine's own reasons through it, so the wording cannot drift
 * apart unnoticed. Rule numbers are indexes into the spec's `ingress` or `egress` list.
 */
import type { Direction } from './types.js';

export interface ReasonRules {
  /** The direction the reason speaks of; undefined when it is not one of the engine's sentences. */
  direction: Direction | undefined;
  /** Allow: the rule that allowed the flow. */
  allowedBy?: number;
  /** WouldDeny: the policy has no rules of that direction, so it allows none of it. */
  noRules: boolean;
  /** WouldDeny: a rule whose peers match but whose ports do not (the nearest miss). */
  nearMiss?: number;
  /** WouldDeny: a rule whose pod selector matches the peer's labels, but in another namespace. */
  otherNamespace?: number;
}

const DIRECTION: Readonly<Record<string, Direction>> = { ingress: 'Ingress', egress: 'Egress' };
// Every sentence opens with the policy ("KIND ns/name", Kubernetes names: no space or colon).
const HEAD = '^(?:NetworkPolicy|AuditNetworkPolicy|AuditClusterNetworkPolicy) [a-z0-9./-]+';
const ALLOWED = new RegExp(`${HEAD}: (ingress|egress) rule (\\d+) allows `);
const SELECTS = new RegExp(`${HEAD} selects `);
const NO_RULES = / and has no (ingress|egress) rules, so all (?:ingress|egress) is denied \(/;
const NONE_ALLOWS = /, but no (ingress|egress) rule allows /;
const NEAR_MISS = /; (?:ingress|egress) rule (\d+) admits the peer but only on /;
const OTHER_NAMESPACE = /; (?:ingress|egress) rule (\d+) matches .*?'s labels \(/;

function index(m: RegExpExecArray | null, group: number): number | undefined {
  const v = m?.[group];
  return v === undefined ? undefined : Number(v);
}

export function reasonRules(reason: string): ReasonRules {
  if (!SELECTS.test(reason) && !ALLOWED.test(reason)) return { direction: undefined, noRules: false };
  const allowed = ALLOWED.exec(reason);
  if (allowed) return { direction: DIRECTION[allowed[1] ?? ''], allowedBy: index(allowed, 2), noRules: false };
  const none = NO_RULES.exec(reason);
  if (none) return { direction: DIRECTION[none[1] ?? ''], noRules: true };
  const denied = NONE_ALLOWS.exec(reason);
  if (!denied) return { direction: undefined, noRules: false };
  const rest = reason.slice(denied.index);
  return { direction: DIRECTION[denied[1] ?? ''], noRules: false, nearMiss: index(NEAR_MISS.exec(rest), 1), otherNamespace: index(OTHER_NAMESPACE.exec(rest), 1) };
}
