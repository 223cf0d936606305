/**
 * A verdict opened from the table: every field, the reason in words and the rules it concerns
 * (the policy's ingress or egress rules, as stored).
 */
import type { StoredVerdict, UiPolicy } from '../../../../contracts/web-view.js';
import { el } from './dom.js';
import { count, policyName, portText, time } from './format.js';
import { endText } from './state.js';

function pair(term: string, value: string): (HTMLElement)[] {
  return [el('dt', {}, term), el('dd', {}, value)];
}

function rulesOf(v: StoredVerdict, p: UiPolicy | undefined): HTMLElement {
  const rules = v.direction === 'Ingress' ? p?.rules.ingress : p?.rules.egress;
  const what = `${v.direction.toLowerCase()} rules`;
  if (p === undefined) return el('p', { class: 'muted' }, `The policy's ${what} could not be read.`);
  if (rules === null || rules === undefined) return el('p', {}, `The policy has no ${what} list: it does not restrict ${v.direction} traffic.`);
  if (rules.length === 0) return el('p', {}, `The policy's ${what} list is empty: it allows no ${v.direction} traffic to the pods it selects.`);
  return el('div', {}, el('p', {}, `The policy's ${rules.length} ${what} (none of them allows this flow when the verdict is WouldDeny):`), el('pre', { class: 'rules' }, JSON.stringify(rules, null, 2)));
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
    rulesOf(v, p),
  );
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') close();
  });
  return box;
}
