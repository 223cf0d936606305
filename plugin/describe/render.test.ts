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

describe('describe at 60 columns', () => {
  const NARROW: DescribeModel = {
    ...MODEL,
    name: 'payments-isolation',
    labels: { 'app.kubernetes.io/name': 'payments', 'app.kubernetes.io/part-of': 'shop-frontend-and-payments' },
    ingress: [{ rule: 0, peers: 'pods app=frontend in namespaces kubernetes.io/metadata.name=frontend', ports: '8080/TCP' }],
    conditions: [{ type: 'Evaluated', status: 'True', reason: 'Evaluated', lastTransitionTime: ago(3), message: '6 flows would be denied in the last 15m' }],
    topOffenders: [{ source: { namespace: 'frontend', pod: 'web-6c4d9f-abcde', ip: '10.244.1.7' }, destination: { namespace: 'prod', pod: 'payments-0', ip: '10.244.2.9' }, port: 8080, protocol: 'TCP', direction: 'Ingress', count: 12, lastSeen: ago(7), states: { refused: 9, attempt: 3 } }],
    events: [{ uid: 'e1', type: 'Warning', reason: 'WouldDeny', last: ago(2), count: 6, message: 'frontend/web-6c4d9f-abcde -> prod/payments-0 8080/TCP would be denied' }],
  };
  const text = renderDescribe(NARROW, { now: NOW, width: 60 });
  const words = (s: string): string => s.replace(/\s+/g, ' ');

  it('no line runs past 60 columns', () => {
    expect(text.split('\n').filter((l) => l.length > 60)).toEqual([]);
  });

  it('nothing is lost: labels, the condition and event messages, the offender and its state', () => {
    expect(text.replace(/\n +/g, '')).toContain('app.kubernetes.io/name=payments,app.kubernetes.io/part-of=shop-frontend-and-payments');
    for (const s of ['6 flows would be denied in the last 15m', 'frontend/web-6c4d9f-abcde -> prod/payments-0 8080/TCP would be denied', 'frontend/web-6c4d9f-abcde (10.244.1.7) -> prod/payments-0 (10.244.2.9)', 'state: 9 refused, 3 attempt']) expect(words(text)).toContain(s);
  });

  it('the promote command is split with shell line continuations: joined, it is the command', () => {
    const from = text.indexOf('Promote anyway:');
    const command = text.slice(from).split('\n').slice(1).join('\n').replace(/ \\\n\s*/g, ' ').trim();
    expect(command).toBe('kubectl kguardian audit promote payments-isolation -n prod --force');
  });
});
