/**
 * The first view: every audit policy the user may list, with its sync state (generation against
 * observedGeneration), the evaluator's window counts, the promotion gate's answer and why not,
 * and the time of its latest generation's latest would-deny verdict (asked of the broker, one small
 * query each).
 */
import { getJson } from './api.js';
import { UI_API, type StoredVerdict, type UiPolicy, type UiPolicyList } from '../../../../contracts/web-view.js';
import { el, link } from './dom.js';
import { count, policyName, time } from './format.js';
import { writeState } from './state.js';
import type { ViewContext } from './view-context.js';

function syncCell(p: UiPolicy): HTMLTableCellElement {
  if (p.observedGeneration === null) return el('td', {}, el('span', { class: 'badge warn' }, 'not evaluated'), ` gen ${p.generation}`);
  const synced = p.observedGeneration >= p.generation;
  return el('td', {}, el('span', { class: synced ? 'badge ok' : 'badge warn' }, synced ? 'synced' : 'behind'), ` gen ${p.generation} / observed ${p.observedGeneration}`);
}

function safeCell(p: UiPolicy): HTMLTableCellElement {
  if (p.safe) return el('td', {}, el('span', { class: 'badge ok' }, '✓ safe'), p.warnings.length > 0 ? el('div', { class: 'muted small' }, p.warnings.join(' ')) : null);
  return el('td', {}, el('span', { class: 'badge deny' }, '✕ not safe'), el('div', { class: 'small' }, p.problems.join('; ')));
}

async function lastWouldDeny(p: UiPolicy, cell: HTMLTableCellElement): Promise<void> {
  try {
    // Of the latest generation, as the policy's view shows by default: an edit that fixed it shows "never".
    const params = new URLSearchParams({ policy: p.name, namespace: p.namespace, verdict: 'WouldDeny', generations: 'latest', limit: '1' });
    const page = await getJson<{ verdicts: StoredVerdict[] }>('/audit/verdicts', params);
    cell.replaceChildren(page.verdicts[0] ? time(page.verdicts[0].observedAt) : 'never');
  } catch (e) {
    cell.replaceChildren(el('span', { class: 'error' }, (e as Error).message));
  }
}

export async function renderPolicies(root: HTMLElement, ctx: ViewContext): Promise<void> {
  const list = await getJson<UiPolicyList>(UI_API.policies);
  const rows = list.policies.map((p) => {
    const last = el('td', {}, '…');
    void lastWouldDeny(p, last);
    const href = writeState({ view: 'policy', policy: { kind: p.kind, namespace: p.namespace, name: p.name }, tab: 'table', filters: { verdict: 'WouldDeny' } });
    return el(
      'tr',
      {},
      el('td', {}, p.kind === 'AuditClusterNetworkPolicy' ? 'ACNP' : 'ANP'),
      el('th', { scope: 'row' }, link(href, policyName(p.namespace, p.name), ctx.go)),
      syncCell(p),
      el('td', { class: 'num' }, p.window ?? '—'),
      el('td', { class: 'num' }, count(p.flowsAllowed)),
      el('td', { class: 'num' }, count(p.flowsWouldDeny)),
      safeCell(p),
      last,
    );
  });
  const head = ['Kind', 'Policy', 'Sync', 'Window', 'Allowed', 'Would deny', 'Safe to promote', 'Last would-deny'];
  root.replaceChildren(
    el('h1', {}, 'Audit policies'),
    ...list.notes.map((n) => el('p', { class: 'note', role: 'note' }, n)),
    rows.length === 0
      ? el('p', { class: 'muted' }, 'No audit policies found.')
      : el('table', { class: 'list', id: 'policies' }, el('caption', {}, `${rows.length} audit polic${rows.length === 1 ? 'y' : 'ies'}`), el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, ...rows)),
  );
}
