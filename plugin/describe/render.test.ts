/**
 * The top offenders' connection state in `describe`'s text: a STATE column when the rows fit the
 * width, a line under each row when they do not; never a line past the width.
 */
import { describe, expect, it } from 'vitest';
import type { Offender } from '../kube/objects.js';
import type { DescribeModel } from './model.js';
import { renderDescribe } from './render.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const ago = (min: number): string => new Date(NOW.getTime() - min * 60_000).toISOString();

const OFFENDERS: Offender[] = [
  { source: { namespace: 'web', pod: 'web-6c4d', ip: '10.244.1.7' }, destination: { namespace: 'prod', pod: 'payments-0' }, port: 8080, protocol: 'TCP', direction: 'Ingress', count: 12, lastSeen: ago(7), states: { refused: 9, attempt: 3 } },
  { source: { namespace: 'prod', pod: 'payments-0' }, destination: { ip: '203.0.113.9' }, port: 443, protocol: 'TCP', direction: 'Egress', count: 2, lastSeen: ago(50), states: { attempt: 2 } },
  // A status written before the states were kept.
  { source: { namespace: 'prod', pod: 'payments-1' }, destination: { ip: '203.0.113.9' }, port: 443, protocol: 'TCP', direction: 'Egress', count: 1, lastSeen: ago(55) },
];

const MODEL: DescribeModel = {
  kind: 'AuditNetworkPolicy', name: 'payments', namespace: 'prod', labels: {}, podSelector: 'app=payments', ingress: null, egress: null,
  generation: 1, observedGeneration: 1, synced: true, conditions: [],
  evaluation: { window: '15m', lastEvaluated: ago(5), flowsEvaluated: 15, flowsAllowed: 0, flowsWouldDeny: 15 },
  topOffenders: OFFENDERS, events: [], promotion: { safe: false, problems: ['15 flows would be denied'], overrides: ['--force'], warnings: [] },
};

const offenders = (text: string): string[] => {
  const lines = text.split('\n');
  const from = lines.indexOf('Top offenders:');
  const to = lines.findIndex((l, i) => i > from && /^\S/.test(l));
  return lines.slice(from + 1, to);
};

describe('describe: the top offenders\' connection state', () => {
  it('is a STATE column when the rows fit: one word when all agree, counts per state when they differ, unknown for an older status', () => {
    const rows = offenders(renderDescribe(MODEL, { now: NOW, width: 160 }));
    expect(rows[0]).toMatch(/^ {2}SOURCE .* COUNT +LAST SEEN +STATE$/);
    expect(rows.slice(1).map((l) => l.split(/ {3,}/).at(-1))).toEqual(['9 refused, 3 attempt', 'attempt', 'unknown']);
  });

  it.each([100])('goes on the line under each row at %i columns, and no line runs past them', (width) => {
    const rows = offenders(renderDescribe(MODEL, { now: NOW, width }));
    expect(rows[0]).not.toContain('STATE');
    expect(rows.filter((l) => l.trim().startsWith('state:')).map((l) => l.trim())).toEqual(['state: 9 refused, 3 attempt', 'state: attempt', 'state: unknown']);
    expect(rows.filter((l) => l.length > width)).toEqual([]);
  });
});
