/**
 * A verdict opened from the table: every field, its connection state in words, the reason, and
 * the rule it concerns. The rule is the one the reason names (policy/reason-rules.ts reads the
 * engine's sentence): for an Allow the rule that allowed it; for a WouldDeny, that no rule of the
 * direction matched, the nearest miss if the engine named one, and the direction's rules. Rules
 * are shown only from the spec that judged the verdict: the policy list holds the current spec,
 * and the broker keeps no older ones, so a verdict of an older generation says so instead.
 */
import type { StoredVerdict, UiPolicy } from '../../../../contracts/web-view.js';
import { reasonRules, type ReasonRules } from '../../../../policy/reason-rules.js';
import { failedConnection, stateSentence } from './connection.js';
import { el } from './dom.js';
import { count, policyName, portText, time } from './format.js';
import { endText } from './state.js';

function pair(term: string, value: string | HTMLElement): HTMLElement[] {
  return [el('dt', {}, term), el('dd', {}, value)];
}

/** Why the current spec's rules cannot stand for the ones that judged `v`, or undefined when they are the same. */
function specMismatch(v: StoredVerdict, p: UiPolicy | undefined): string | undefined {
  if (p === undefined) return 'The policy is not in the cluster now (or you may not read it): its rules cannot be shown.';
  if (p.uid !== v.policy.uid) return `Judged by an earlier object of this name (generation ${v.policy.generation}), deleted since; the policy in the cluster now is another one, whose rules did not judge this verdict.`;
  if (p.generation !== v.policy.generation) return `Judged by generation ${v.policy.generation}; the policy is now at generation ${p.generation}. The broker keeps no older specs, so the rules that judged this verdict cannot be shown.`;
  return undefined;
}

function ruleBlock(field: string, i: number, rule: unknown, note: string): HTMLElement {
  return el('div', { class: 'rule', 'data-rule': i }, el('h4', {}, `${field} rule ${i}${note}`), el('pre', { class: 'rules' }, JSON.stringify(rule, null, 2)));
}

/** The words: which rule, or that none matched. */
function ruleWords(v: StoredVerdict, named: ReasonRules, field: string): HTMLElement[] {
  const dir = v.direction === 'Ingress' ? 'into' : 'out of';
  if (v.verdict === 'Allow') {
    return [el('p', { class: 'rule-named' }, named.allowedBy === undefined ? 'Allowed; the reason names no rule.' : `Allowed by ${field} rule ${named.allowedBy}.`)];
  }
  if (named.noRules) return [el('p', { class: 'rule-named' }, `No ${field} rule matched: the policy has no ${field} rules, so it allows no ${v.direction} traffic ${dir} the pods it selects.`)];
  const out = [el('p', { class: 'rule-named' }, `No ${field} rule of the policy matched this flow.`)];
  if (named.nearMiss !== undefined) out.push(el('p', {}, `Nearest: ${field} rule ${named.nearMiss} admits this peer, but not on ${portText(v)}.`));
  if (named.otherNamespace !== undefined) out.push(el('p', {}, `Nearest: ${field} rule ${named.otherNamespace} matches the peer's labels, but in another namespace.`));
  return out;
}

/** The rules of the judging spec: the one named, or for a would-deny every rule of the direction. */
function judgingRules(v: StoredVerdict, p: UiPolicy, named: ReasonRules, field: string): HTMLElement[] {
  const rules = v.direction === 'Ingress' ? p.rules.ingress : p.rules.egress;
  if (rules === null || rules.length === 0) return [];
  const gen = `generation ${v.policy.generation}, which judged this verdict`;
  if (v.verdict === 'Allow') {
    const rule = named.allowedBy === undefined ? undefined : rules[named.allowedBy];
    return rule === undefined ? [] : [ruleBlock(field, named.allowedBy ?? 0, rule, ` (${gen})`)];
  }
  const near = new Set([named.nearMiss, named.otherNamespace]);
  return [
    el('p', {}, `The ${rules.length} ${field} rule${rules.length === 1 ? '' : 's'} of ${gen}:`),
    ...rules.map((r, i) => ruleBlock(field, i, r, near.has(i) ? ' (nearest)' : '')),
  ];
}

function ruleSection(v: StoredVerdict, p: UiPolicy | undefined): HTMLElement[] {
  const field = v.direction.toLowerCase();
  const named = reasonRules(v.reason);
  const mismatch = specMismatch(v, p);
  const words = ruleWords(v, named, field);
  if (mismatch !== undefined || p === undefined) return [...words, el('p', { class: 'note', role: 'note' }, mismatch ?? '')];
  return [...words, ...judgingRules(v, p, named, field)];
}

export function verdictDetail(v: StoredVerdict, p: UiPolicy | undefined, close: () => void): HTMLElement {
  const button = el('button', { type: 'button', class: 'close', 'aria-label': 'Close the detail' }, '×');
  button.addEventListener('click', close);
  const box = el(
    'section',
    { class: 'detail', id: 'detail', 'aria-labelledby': 'detail-title', tabindex: -1 },
    button,
    el('h2', { id: 'detail-title' }, `Verdict ${v.id}: ${v.verdict}`),
    el('p', { class: 'reason' }, v.reason),
    el(
      'dl',
      {},
      ...pair('Connection', el('span', { id: 'detail-state', class: failedConnection(v.state) ? 'failed' : undefined }, stateSentence(v.state))),
      ...pair('Policy', `${v.policy.kind} ${policyName(v.policy.namespace, v.policy.name)} (generation ${v.policy.generation})`),
      ...pair('Direction', v.direction),
      ...pair('Source', `${endText(v.src)} (${v.src.ip})`),
      ...pair('Destination', `${endText(v.dst)} (${v.dst.ip})`),
      ...pair('Port', portText(v)),
      ...pair('Observations', count(v.count)),
      ...pair('Observed', time(v.observedAt)),
      ...pair('Evaluated', time(v.evaluatedAt)),
    ),
    el('h3', {}, 'Rule'),
    el('div', { id: 'detail-rule' }, ...ruleSection(v, p)),
  );
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') close();
  });
  return box;
}
