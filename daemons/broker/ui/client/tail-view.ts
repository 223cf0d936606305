/** The live tail tab: pause and resume, the stream's state, and the newest rows (bounded). */
import type { StoredVerdict, UiPolicy } from '../../../../contracts/web-view.js';
import { VERDICT_COLUMNS } from './columns.js';
import { verdictDetail } from './detail.js';
import { el } from './dom.js';
import { brokerParams, matchesFilters, type Filters, type PolicyRef } from './state.js';
import { Tail } from './tail.js';
import type { ViewContext } from './view-context.js';
import { VirtualTable } from './virtual-table.js';

/** Rows the tail keeps; older ones leave the page (the table tab shows history). */
export const TAIL_MAX = 2000;

export function tailView(ref: PolicyRef, f: Filters, policy: UiPolicy | undefined, ctx: ViewContext): HTMLElement {
  const state = el('span', { id: 'tail-state', class: 'badge', role: 'status' }, 'connecting');
  const counter = el('span', { id: 'tail-count', class: 'muted' }, '0 received');
  const button = el('button', { type: 'button', id: 'tail-toggle', 'aria-pressed': 'false' }, 'Pause');
  const detailBox = el('div', { class: 'detail-slot' });
  const table = new VirtualTable<StoredVerdict>({
    caption: 'Live verdicts, newest first',
    columns: VERDICT_COLUMNS,
    rowId: (v) => v.id,
    onOpen: (v) => {
      const d = verdictDetail(v, policy, () => { detailBox.replaceChildren(); });
      detailBox.replaceChildren(d);
      d.focus();
    },
  });
  const base = brokerParams(ref, { ...f, since: undefined, until: undefined });
  const tail = new Tail({
    url: (after) => {
      const p = new URLSearchParams(base);
      if (after !== undefined) p.set('after_id', String(after));
      return `/audit/verdicts/stream?${p.toString()}`;
    },
    max: TAIL_MAX,
    accept: (v) => matchesFilters(v, ref, f),
    onRows: (rows, received) => {
      table.setRows([...rows].reverse());
      counter.textContent = `${received.toLocaleString('en')} received, ${rows.length.toLocaleString('en')} shown (at most ${TAIL_MAX.toLocaleString('en')})`;
    },
    onState: (s) => {
      state.textContent = s;
      state.className = `badge ${s === 'live' ? 'ok' : 'warn'}`;
    },
  });
  button.addEventListener('click', () => {
    const pausing = button.textContent === 'Pause';
    if (pausing) tail.pause();
    else tail.resume();
    button.textContent = pausing ? 'Resume' : 'Pause';
    button.setAttribute('aria-pressed', String(pausing));
  });
  ctx.onLeave(() => { tail.stop(); });
  tail.start();
  return el('div', {}, el('div', { class: 'tailbar' }, button, ' ', state, ' ', counter), el('div', { class: 'split' }, table.element, detailBox));
}
