/**
 * Ages as kubectl prints them, coarsened: seconds under two minutes, then minutes under three
 * hours, hours under two days, then days. A time in the future (clock skew) shows as "0s".
 */
export function age(iso: string | undefined, now: Date): string {
  if (!iso) return '<unknown>';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '<unknown>';
  const s = Math.max(0, Math.floor((now.getTime() - t) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 3 * 3600) return `${Math.floor(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
