/**
 * Compiled rules shared between policies. Clusters repeat the same rules in many policies (one
 * chart installs the same policy in every namespace; "allow DNS" is everywhere), and a flow
 * evaluation walks the rules of the policies it meets: one shared copy of each distinct rule
 * keeps that walk inside the CPU caches instead of touching a private copy per policy.
 *
 * Compiled rules are immutable, and the key is the rule's full reason text (its direction, its
 * index, its peers and its ports as reasons quote them, which name every field that matters), so
 * only rules that behave and read identically are shared.
 */
import type { CompiledRule } from './compiled.js';

// Bounded, and simply emptied when full: forgetting only means a new policy gets its own copy.
const LIMIT = 50_000;
const shared = new Map<string, CompiledRule>();

export function shareRule(rule: CompiledRule): CompiledRule {
  const key = `${rule.text.allows}\u0000${rule.text.via.join('\u0000')}\u0000${rule.text.nearMiss}`;
  const hit = shared.get(key);
  if (hit) return hit;
  if (shared.size >= LIMIT) shared.clear();
  shared.set(key, rule);
  return rule;
}
