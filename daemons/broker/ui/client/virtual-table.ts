/**
 * A semantic <table> that keeps only the rows in view (plus a few) in the DOM, so 10,000
 * verdicts scroll without the page holding 10,000 rows. Two spacer rows stand for the rows above
 * and below. Keyboard: the table's scroll box takes focus; arrows, Page Up/Down, Home and End
 * move the selected row, Enter opens it.
 */
import { el } from './dom.js';

export interface Column<T> {
  title: string;
  cell(row: T): string;
  className?: string;
  /** A class of this row's cell besides className (a state that must stand out). */
  cellClass?: (row: T) => string | undefined;
}

export interface VirtualTableOptions<T> {
  caption: string;
  columns: readonly Column<T>[];
  onOpen(row: T): void;
  /** A stable id per row, written as data-id (tests and scripts find rows by it). */
  rowId?: (row: T) => string | number;
  rowHeight?: number;
  /** Rows drawn beyond the visible ones on each side. */
  overscan?: number;
}

export class VirtualTable<T> {
  readonly element: HTMLDivElement;
  private readonly body: HTMLTableSectionElement;
  private readonly table: HTMLTableElement;
  private readonly rowHeight: number;
  private readonly overscan: number;
  private rows: readonly T[] = [];
  private selected = -1;
  private frame = 0;

  constructor(private readonly opts: VirtualTableOptions<T>) {
    this.rowHeight = opts.rowHeight ?? 28;
    this.overscan = opts.overscan ?? 8;
    this.body = el('tbody');
    const head = el('tr', {}, ...opts.columns.map((c) => el('th', { scope: 'col', class: c.className }, c.title)));
    this.table = el('table', { class: 'grid', 'aria-rowcount': 1 }, el('caption', { class: 'sr-only' }, opts.caption), el('thead', {}, head), this.body);
    this.element = el('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': opts.caption }, this.table);
    this.element.addEventListener('scroll', () => { this.schedule(); });
    this.element.addEventListener('keydown', (e) => { this.key(e); });
    // Rendered again whenever the box gets or changes its height (attached, window resized):
    // the observer runs after layout, so reading the height then forces none.
    new ResizeObserver(() => { this.render(); }).observe(this.element);
    this.body.addEventListener('click', (e) => {
      const tr = (e.target as Element).closest('tr[data-index]');
      if (tr) this.open(Number(tr.getAttribute('data-index')));
    });
  }

  setRows(rows: readonly T[]): void {
    this.rows = rows;
    if (this.selected >= rows.length) this.selected = rows.length - 1;
    this.table.setAttribute('aria-rowcount', String(rows.length + 1));
    this.render();
  }

  get rowCount(): number {
    return this.rows.length;
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private spacer(px: number): HTMLTableRowElement {
    const td = el('td', { colspan: this.opts.columns.length });
    const tr = el('tr', { class: 'spacer', 'aria-hidden': 'true' }, td);
    td.style.height = `${px}px`;
    return tr;
  }

  private render(): void {
    const h = this.rowHeight;
    // A box not in the document has no height yet, and asking would lay out the whole page for
    // nothing: a screenful is assumed until the observer gives the real one.
    const view = (this.element.isConnected ? this.element.clientHeight : 0) || 600;
    const first = Math.max(0, Math.floor(this.element.scrollTop / h) - this.overscan);
    const last = Math.min(this.rows.length, Math.ceil((this.element.scrollTop + view) / h) + this.overscan);
    const out: HTMLTableRowElement[] = [this.spacer(first * h)];
    for (let i = first; i < last; i++) out.push(this.row(i));
    out.push(this.spacer((this.rows.length - last) * h));
    this.body.replaceChildren(...out);
  }

  private row(i: number): HTMLTableRowElement {
    const r = this.rows[i] as T;
    const tr = el('tr', { 'data-index': i, 'data-id': this.opts.rowId?.(r), 'aria-rowindex': i + 2, 'aria-selected': i === this.selected ? 'true' : 'false', class: i === this.selected ? 'selected' : undefined });
    tr.style.height = `${this.rowHeight}px`;
    for (const c of this.opts.columns) {
      const v = c.cell(r);
      const extra = c.cellClass?.(r);
      tr.appendChild(el('td', { class: extra === undefined ? c.className : `${c.className ?? ''} ${extra}`, title: v }, v));
    }
    return tr;
  }

  private key(e: KeyboardEvent): void {
    const page = Math.max(1, Math.floor(this.element.clientHeight / this.rowHeight) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
    const d = moves[e.key];
    if (d !== undefined) {
      e.preventDefault();
      this.select(Math.max(0, Math.min(this.rows.length - 1, (this.selected < 0 ? -1 : this.selected) + (Number.isFinite(d) ? d : d > 0 ? this.rows.length : -this.rows.length))));
    } else if (e.key === 'Enter' && this.selected >= 0) {
      e.preventDefault();
      this.open(this.selected);
    }
  }

  private select(i: number): void {
    if (this.rows.length === 0) return;
    this.selected = i;
    const top = i * this.rowHeight;
    const headH = this.table.tHead?.offsetHeight ?? this.rowHeight;
    if (top < this.element.scrollTop) this.element.scrollTop = top;
    else if (top + this.rowHeight + headH > this.element.scrollTop + this.element.clientHeight) this.element.scrollTop = top + this.rowHeight + headH - this.element.clientHeight;
    this.render();
  }

  private open(i: number): void {
    const r = this.rows[i];
    if (r === undefined) return;
    this.selected = i;
    this.render();
    this.opts.onOpen(r);
  }
}
