/** Small text formatters shared by the views (times in UTC so a shared view reads the same everywhere). */
import type { StoredVerdict } from '../../../../contracts/web-view.js';

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

export function policyName(namespace: string, name: string): string {
  return namespace === '' ? name : `${namespace}/${name}`;
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString('en');
}

export function portText(v: Pick<StoredVerdict, 'port' | 'protocol'>): string {
  return `${v.port}/${v.protocol}`;
}
