/**
 * A policy's Would-Deny view: the promotion panel, the filter form, and four tabs over the same
 * filters (table, grouped, live tail, flow map). Every tab is a URL, so each can be shared.
 */
import { getJson, prime } from './api.js';
import { UI_API, type StoredVerdict, type UiPolicy, type UiPolicyList } from '../../../../contracts/web-view.js';
import { VERDICT_COLUMNS } from './columns.js';
import { verdictDetail } from './detail.js';
import { el, link } from './dom.js';
import { filterForm } from './filter-form.js';
import { flowMap } from './flow-map.js';
import { policyName } from './format.js';
import { edges } from './group.js';
import { groupedView } from './grouped-view.js';
import { loadVerdicts, MAX_ROWS, pageParams, VERDICTS_PATH } from './load-verdicts.js';
import { promotionPanel } from './promotion.js';
import { tailView } from './tail-view.js';
import { TABS, writeState, type Filters, type Tab, type ViewState } from './state.js';
import type { ViewContext } from './view-context.js';
import { VirtualTable } from './virtual-table.js';

type PolicyState = Extract<ViewState, { view: 'policy' }>;

const TAB_NAMES: Record<Tab, string> = { table: 'Table', grouped: 'Grouped', tail: 'Live tail', map: 'Flow map' };

function tabs(s: PolicyState, ctx: ViewContext): HTMLElement {
  return el(
    'nav',
    { class: 'tabs', 'aria-label': 'Views of this policy' },
    ...TABS.map((t) => link(writeState({ ...s, tab: t }), TAB_NAMES[t], ctx.go, { 'aria-current': t === s.tab ? 'page' : undefined })),
  );
}

interface TableTab {
  element: HTMLElement;
  setRows(rows: readonly StoredVerdict[]): void;
}

function tableTab(policy: UiPolicy | undefined): TableTab {
  const detailBox = el('div', { class: 'detail-slot' });
  const table = new VirtualTable<StoredVerdict>({
    caption: 'Verdicts',
    columns: VERDICT_COLUMNS,
    rowId: (v) => v.id,
    onOpen: (v) => {
      const close = (): void => {
        detailBox.replaceChildren();
        table.element.focus();
      };
      const d = verdictDetail(v, policy, close);
      detailBox.replaceChildren(d);
      d.focus();
    },
  });
  return {
    element: el('div', { class: 'split' }, table.element, detailBox),
    setRows: (rows) => { table.setRows(rows); },
  };
}

/** The row count, and which generations it covers (the latest only unless asked: say so, older rows exist). */
function rowStatus(loaded: { rows: readonly StoredVerdict[]; truncated: boolean }, f: Filters): string {
  const gens = f.allGenerations || f.generation !== undefined ? '' : ' of the latest generation (Generations: all shows older ones)';
  return `${loaded.rows.length.toLocaleString('en')} verdict rows${gens}${loaded.truncated ? `; the newest ${MAX_ROWS.toLocaleString('en')}, narrow the filters to see older ones` : ''}`;
}

/**
 * The tab's content. The table shows the first page as soon as it arrives (`show`) and grows
 * as older pages come; the grouped view and the map need every row first.
 */
async function body(s: PolicyState, policy: UiPolicy | undefined, ctx: ViewContext, signal: AbortSignal, show: (e: HTMLElement) => void): Promise<HTMLElement> {
  if (s.tab === 'tail') return tailView(s.policy, s.filters, policy, ctx);
  const status = el('p', { class: 'muted', id: 'row-status', role: 'status' }, 'Loading verdicts…');
  let shown: { wrapper: HTMLElement; table: TableTab } | undefined;
  const tableOf = (): { wrapper: HTMLElement; table: TableTab } => {
    if (!shown) {
      const table = tableTab(policy);
      shown = { wrapper: el('div', {}, status, table.element), table };
    }
    return shown;
  };
  const onPage = s.tab === 'table'
    ? (rows: readonly StoredVerdict[]): void => {
      const first = shown === undefined;
      const t = tableOf();
      status.textContent = `loading: ${rows.length.toLocaleString('en')} verdict rows so far, older ones on their way…`;
      if (first) show(t.wrapper);
      t.table.setRows(rows);
    }
    : undefined;
  const loaded = await loadVerdicts(s.policy, s.filters, signal, onPage);
  status.textContent = rowStatus(loaded, s.filters);
  if (s.tab === 'grouped') return el('div', {}, status, groupedView(loaded.rows));
  if (s.tab === 'map') {
    return el('div', {}, status, flowMap(edges(loaded.rows), (e) => {
      ctx.go(writeState({ ...s, tab: 'table', filters: { ...s.filters, src: e.src, dst: e.dst } }));
    }));
  }
  const t = tableOf();
  t.table.setRows(loaded.rows);
  return t.wrapper;
}

/**
 * Starts the reads the view begins with, all at once: the policy list and, for the tabs that
 * read the stored verdicts, their first page (the live tail reads the stream instead).
 */
export function primePolicy(s: PolicyState): void {
  prime(UI_API.policies);
  if (s.tab !== 'tail') prime(VERDICTS_PATH, pageParams(s.policy, s.filters));
}

export async function renderPolicy(root: HTMLElement, s: PolicyState, ctx: ViewContext): Promise<void> {
  const abort = new AbortController();
  ctx.onLeave(() => { abort.abort(); });
  primePolicy(s);
  const list = await getJson<UiPolicyList>(UI_API.policies);
  const policy = list.policies.find((p) => p.kind === s.policy.kind && p.namespace === s.policy.namespace && p.name === s.policy.name);
  const content = el('div', { id: 'tab-content' }, el('p', { class: 'muted' }, 'Loading verdicts…'));
  root.replaceChildren(
    el('p', {}, link('?', '← All policies', ctx.go)),
    el('h1', {}, `${s.policy.kind} ${policyName(s.policy.namespace, s.policy.name)}`),
    policy ? promotionPanel(policy) : el('p', { class: 'note', role: 'note' }, 'This policy is not in the cluster (or you may not read it): verdicts only.'),
    filterForm(s.filters, (filters) => { ctx.go(writeState({ ...s, filters })); }),
    tabs(s, ctx),
    content,
  );
  const show = (e: HTMLElement): void => {
    if (content.firstChild !== e) content.replaceChildren(e);
  };
  show(await body(s, policy, ctx, abort.signal, show));
}
