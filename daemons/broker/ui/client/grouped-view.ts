/** The grouped view: source workload -> destination workload:port with counts and a small histogram. */
import type { StoredVerdict } from '../../../../contracts/web-view.js';
import { el, svg } from './dom.js';
import { count, time } from './format.js';
import { groupVerdicts, type Group } from './group.js';

const MAX_GROUPS = 500;

function histogram(g: Group): SVGSVGElement {
  const max = Math.max(1, ...g.histogram);
  const w = 4;
  const h = 20;
  const label = `observations over time, oldest first: ${g.histogram.join(', ')}`;
  return svg(
    'svg',
    { class: 'histogram', width: g.histogram.length * w, height: h, role: 'img', 'aria-label': label },
    svg('title', {}, label),
    ...g.histogram.map((n, i) => svg('rect', { x: i * w, y: h - (n / max) * h, width: w - 1, height: (n / max) * h })),
  );
}

export function groupedView(rows: readonly StoredVerdict[]): HTMLElement {
  const groups = groupVerdicts(rows);
  const shown = groups.slice(0, MAX_GROUPS);
  const head = ['Source workload', 'Destination workload', 'Port', 'Would deny', 'Allow', 'First', 'Last', 'Over time'];
  return el(
    'div',
    {},
    groups.length > MAX_GROUPS ? el('p', { class: 'note' }, `Showing the ${MAX_GROUPS} groups with the most would-denies of ${groups.length}.`) : null,
    el(
      'table',
      { class: 'list', id: 'groups' },
      el('caption', {}, `${groups.length} group${groups.length === 1 ? '' : 's'} from ${rows.length} verdict rows`),
      el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
      el(
        'tbody',
        {},
        ...shown.map((g) =>
          el(
            'tr',
            {},
            el('th', { scope: 'row' }, g.src),
            el('td', {}, g.dst),
            el('td', {}, `${g.port}/${g.protocol}`),
            el('td', { class: 'num' }, count(g.wouldDeny)),
            el('td', { class: 'num' }, count(g.allow)),
            el('td', {}, time(new Date(g.first).toISOString())),
            el('td', {}, time(new Date(g.last).toISOString())),
            el('td', {}, histogram(g)),
          ),
        ),
      ),
    ),
  );
}
