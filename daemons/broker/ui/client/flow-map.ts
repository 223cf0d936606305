/**
 * The flow map: workloads as nodes on a circle, grouped by namespace, and one edge per source ->
 * destination. A would-deny edge is red AND dashed AND carries a cross at its middle, and its
 * title says so, so it reads without colour. Edges are focusable; a click or Enter on one filters
 * the table to that source and destination.
 */
import { el, svg } from './dom.js';
import type { Edge } from './group.js';

const SIZE = 560;
const R = 220;

function nodeLabel(id: string): string {
  return id.length > 28 ? `${id.slice(0, 27)}…` : id;
}

export function flowMap(edges: readonly Edge[], onEdge: (e: Edge) => void): HTMLElement {
  if (edges.length === 0) return el('p', { class: 'muted' }, 'No flows to draw for these filters.');
  const ids = [...new Set(edges.flatMap((e) => [e.src, e.dst]))].sort();
  const pos = new Map<string, { x: number; y: number }>();
  ids.forEach((id, i) => {
    const a = (2 * Math.PI * i) / ids.length - Math.PI / 2;
    pos.set(id, { x: SIZE / 2 + R * Math.cos(a), y: SIZE / 2 + R * Math.sin(a) });
  });
  const map = svg('svg', { viewBox: `-120 0 ${SIZE + 240} ${SIZE}`, class: 'flowmap', role: 'group', 'aria-label': 'Flow map: workloads and the flows between them' });
  map.appendChild(
    svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))),
  );
  for (const e of edges) map.appendChild(edgeShape(e, pos, onEdge));
  for (const id of ids) {
    const p = pos.get(id) ?? { x: 0, y: 0 };
    const anchor = p.x < SIZE / 2 - 1 ? 'end' : p.x > SIZE / 2 + 1 ? 'start' : 'middle';
    const dx = anchor === 'end' ? -10 : anchor === 'start' ? 10 : 0;
    map.appendChild(svg('g', { class: 'node' }, svg('circle', { cx: p.x, cy: p.y, r: 6 }), svg('text', { x: p.x + dx, y: p.y + 4, 'text-anchor': anchor }, nodeLabel(id))));
  }
  return el('figure', { class: 'mapbox' }, map, el('figcaption', {}, legend()));
}

function edgeShape(e: Edge, pos: Map<string, { x: number; y: number }>, onEdge: (e: Edge) => void): SVGGElement {
  const a = pos.get(e.src) ?? { x: 0, y: 0 };
  const b = pos.get(e.dst) ?? { x: 0, y: 0 };
  const deny = e.verdict === 'WouldDeny';
  const label = `${e.src} to ${e.dst}: ${deny ? 'would be denied' : 'allowed'}, ${e.count} observation${e.count === 1 ? '' : 's'}`;
  const g = svg('g', { class: deny ? 'edge deny' : 'edge allow', tabindex: 0, role: 'button', 'aria-label': label, 'data-src': e.src, 'data-dst': e.dst }, svg('title', {}, label));
  const self = e.src === e.dst;
  const d = self ? `M${a.x},${a.y} c 40,-60 80,0 0,0` : `M${a.x},${a.y} L${b.x},${b.y}`;
  g.appendChild(svg('path', { d, class: 'hit' }));
  g.appendChild(svg('path', { d, class: 'line', 'marker-end': 'url(#arrow)' }));
  if (deny) {
    const mx = self ? a.x + 30 : (a.x + b.x) / 2;
    const my = self ? a.y - 30 : (a.y + b.y) / 2;
    g.appendChild(svg('path', { d: `M${mx - 6},${my - 6} L${mx + 6},${my + 6} M${mx + 6},${my - 6} L${mx - 6},${my + 6}`, class: 'cross' }));
  }
  g.addEventListener('click', () => { onEdge(e); });
  g.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      onEdge(e);
    }
  });
  return g;
}

function legend(): HTMLElement {
  return el(
    'ul',
    { class: 'legend' },
    el('li', { class: 'deny' }, el('span', { class: 'swatch', 'aria-hidden': 'true' }, '✕ - - -'), ' would be denied (red, dashed, crossed)'),
    el('li', { class: 'allow' }, el('span', { class: 'swatch', 'aria-hidden': 'true' }, '───'), ' allowed (solid)'),
  );
}
