/**
 * The page's state lives in the URL's query string, so any view (a policy, a tab, its filters)
 * can be shared by copying the address. readState accepts only values it knows (anything else in
 * a hand-edited URL is dropped, never passed on); writeState leaves defaults out, so
 * writeState(readState(s)) is canonical and round-trips.
 */
import { isTimeBound } from '../../../../contracts/time-bound.js';
import type { StoredVerdict } from '../../../../contracts/web-view.js';
import { endLabel } from '../../../../contracts/flow-end-label.js';

/** The connection states a verdict can be filtered by, as the agent saw the flow (the broker's `state=`). */
export type FlowState = 'established' | 'attempt' | 'refused' | 'seen';
export const FLOW_STATES: readonly FlowState[] = ['established', 'attempt', 'refused', 'seen'];

export type Tab = 'table' | 'grouped' | 'tail' | 'map';
export const TABS: readonly Tab[] = ['table', 'grouped', 'tail', 'map'];
export type PolicyKind = 'AuditNetworkPolicy' | 'AuditClusterNetworkPolicy';

export interface Filters {
  /** Default WouldDeny: this is the Would-Deny view; 'any' shows Allow too. */
  verdict: 'WouldDeny' | 'Allow' | 'any';
  direction?: 'Ingress' | 'Egress';
  /** Substring of the source's namespace/pod or IP. */
  src?: string;
  dst?: string;
  port?: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  /** RFC 3339 or a look-back such as 15m or 1h30m (the broker's grammar, contracts/time-bound.ts). */
  since?: string;
  until?: string;
  generation?: number;
  /** The judged flow's connection state (a refused or never-answered attempt is not working traffic). */
  state?: FlowState;
  /**
   * Older generations' verdicts too. By default only each policy's latest generation (the
   * highest the broker stored for the policy's uid), as `verdicts` lists them without
   * --all-generations; a `generation` filter asks for that one generation instead.
   */
  allGenerations?: true;
}

export interface PolicyRef {
  kind: PolicyKind;
  /** '' for a cluster-scoped policy. */
  namespace: string;
  name: string;
}

export type ViewState = { view: 'policies' } | { view: 'policy'; policy: PolicyRef; tab: Tab; filters: Filters };

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function oneOf<T extends string>(v: string | null, allowed: readonly T[]): T | undefined {
  return v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
}

function intIn(v: string | null, min: number, max: number): number | undefined {
  if (v === null || !/^\d{1,9}$/.test(v)) return undefined;
  const n = Number(v);
  return n >= min && n <= max ? n : undefined;
}

function text(v: string | null): string | undefined {
  const t = v?.trim();
  return t ? t.slice(0, 253) : undefined;
}

export function readFilters(p: URLSearchParams): Filters {
  const since = p.get('since');
  const until = p.get('until');
  return {
    verdict: oneOf(p.get('verdict'), ['WouldDeny', 'Allow', 'any'] as const) ?? 'WouldDeny',
    direction: oneOf(p.get('direction'), ['Ingress', 'Egress'] as const),
    src: text(p.get('src')),
    dst: text(p.get('dst')),
    port: intIn(p.get('port'), 1, 65535),
    protocol: oneOf(p.get('protocol'), ['TCP', 'UDP', 'SCTP'] as const),
    since: since !== null && isTimeBound(since) ? since : undefined,
    until: until !== null && isTimeBound(until) ? until : undefined,
    generation: intIn(p.get('generation'), 0, 999_999_999),
    state: oneOf(p.get('state'), FLOW_STATES),
    allGenerations: p.get('generations') === 'all' ? true : undefined,
  };
}

export function readState(search: string): ViewState {
  const p = new URLSearchParams(search);
  const name = p.get('name');
  const ns = p.get('ns') ?? '';
  const kind = p.get('kind') === 'acnp' ? 'AuditClusterNetworkPolicy' : 'AuditNetworkPolicy';
  const nsOk = kind === 'AuditClusterNetworkPolicy' ? ns === '' : NAME.test(ns);
  if (p.get('view') !== 'policy' || name === null || !NAME.test(name) || !nsOk) return { view: 'policies' };
  return { view: 'policy', policy: { kind, namespace: ns, name }, tab: oneOf(p.get('tab'), TABS) ?? 'table', filters: readFilters(p) };
}

export function writeState(s: ViewState): string {
  if (s.view === 'policies') return '?';
  const p = new URLSearchParams({ view: 'policy', kind: s.policy.kind === 'AuditClusterNetworkPolicy' ? 'acnp' : 'anp' });
  if (s.policy.namespace !== '') p.set('ns', s.policy.namespace);
  p.set('name', s.policy.name);
  if (s.tab !== 'table') p.set('tab', s.tab);
  const f = s.filters;
  if (f.verdict !== 'WouldDeny') p.set('verdict', f.verdict);
  const rest: [string, string | number | undefined][] = [
    ['direction', f.direction], ['src', f.src], ['dst', f.dst], ['port', f.port], ['protocol', f.protocol],
    ['since', f.since], ['until', f.until], ['generation', f.generation], ['state', f.state],
    ['generations', f.allGenerations ? 'all' : undefined],
  ];
  for (const [k, v] of rest) if (v !== undefined && v !== '') p.set(k, String(v));
  return `?${p.toString()}`;
}

/** The filters the broker applies itself (the rest are applied in the page, matchesFilters). */
export function brokerParams(policy: PolicyRef, f: Filters): URLSearchParams {
  const p = new URLSearchParams({ policy: policy.name, namespace: policy.namespace });
  if (f.verdict !== 'any') p.set('verdict', f.verdict);
  if (f.direction) p.set('direction', f.direction);
  if (f.since) p.set('since', f.since);
  if (f.until) p.set('until', f.until);
  if (f.state) p.set('state', f.state);
  if (!f.allGenerations && f.generation === undefined) p.set('generations', 'latest');
  return p;
}

/** How the page names an end: `namespace/pod`, else its address (contracts/flow-end-label.ts). */
export const endText = endLabel;

function endMatches(e: StoredVerdict['src'], needle: string | undefined): boolean {
  if (needle === undefined) return true;
  const n = needle.toLowerCase();
  return endText(e).toLowerCase().includes(n) || e.ip.toLowerCase().includes(n);
}

/** The filters the broker does not apply; the policy's kind is checked too (a namespace may hold both kinds' names). */
export function matchesFilters(v: StoredVerdict, policy: PolicyRef, f: Filters): boolean {
  return (
    v.policy.kind === policy.kind &&
    endMatches(v.src, f.src) &&
    endMatches(v.dst, f.dst) &&
    (f.port === undefined || v.port === f.port) &&
    (f.protocol === undefined || v.protocol === f.protocol) &&
    (f.generation === undefined || v.policy.generation === f.generation)
  );
}
