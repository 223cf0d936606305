/**
 * The filter form of a policy's view. Applying it navigates to the URL of the new filters (so the
 * back button and a shared link both work); nothing is submitted anywhere.
 */
import { el } from './dom.js';
import { FLOW_STATES, readFilters, type Filters } from './state.js';

function field(label: string, input: HTMLElement): HTMLLabelElement {
  return el('label', {}, el('span', {}, label), input);
}

function select(name: string, value: string | undefined, options: readonly [string, string][]): HTMLSelectElement {
  return el('select', { name }, ...options.map(([v, t]) => el('option', { value: v, selected: v === (value ?? '') }, t)));
}

function input(name: string, value: string | number | undefined, placeholder: string, size = 14): HTMLInputElement {
  return el('input', { name, value: value === undefined ? '' : String(value), placeholder, size, autocomplete: 'off', spellcheck: 'false' });
}

export function filterForm(f: Filters, apply: (f: Filters) => void): HTMLFormElement {
  const form = el(
    'form',
    { class: 'filters', 'aria-label': 'Filters' },
    field('Verdict', select('verdict', f.verdict, [['WouldDeny', 'WouldDeny'], ['Allow', 'Allow'], ['any', 'any']])),
    field('Direction', select('direction', f.direction, [['', 'any'], ['Ingress', 'Ingress'], ['Egress', 'Egress']])),
    field('Source', input('src', f.src, 'ns/pod or IP')),
    field('Destination', input('dst', f.dst, 'ns/pod or IP')),
    field('Port', input('port', f.port, '443', 5)),
    field('Protocol', select('protocol', f.protocol, [['', 'any'], ['TCP', 'TCP'], ['UDP', 'UDP'], ['SCTP', 'SCTP']])),
    field('Since', input('since', f.since, '1h or RFC 3339', 10)),
    field('Until', input('until', f.until, '', 10)),
    field('State', select('state', f.state, [['', 'any'], ...FLOW_STATES.map((s): [string, string] => [s, s])])),
    field('Generation', input('generation', f.generation, f.allGenerations ? 'any' : 'latest', 5)),
    field('Generations', select('generations', f.allGenerations ? 'all' : undefined, [['', 'latest only'], ['all', 'all']])),
    el('button', { type: 'submit' }, 'Apply'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form).entries()) if (typeof v === 'string' && v !== '') p.set(k, v);
    apply(readFilters(p));
  });
  return form;
}
