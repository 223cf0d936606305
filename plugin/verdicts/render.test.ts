/**
 * The verdicts table at a given width: every line fits a known width, REASON is never cut (it
 * wraps in its column, goes under its row, or under a short line of AGE, POLICY and VERDICT on a
 * narrow terminal), and in a pipe (no width) every value is whole on one line.
 */
import { describe, expect, it } from 'vitest';
import type { StoredVerdict } from '../broker/types.js';
import { TableWriter, type TableLayout } from './render.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const REASON = 'AuditNetworkPolicy prod/payments-isolation selects prod/payments-7f9c4d-x2x9z, but frontend/web-6c4d9f-abcde is not allowed by any ingress rule';

function verdict(id: number, over: Partial<StoredVerdict> = {}): StoredVerdict {
  return {
    id, observedAt: new Date(NOW.getTime() - 55_000).toISOString(), evaluatedAt: NOW.toISOString(), flowId: id,
    policy: { uid: 'u1', kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'payments-isolation', generation: 1 },
    direction: 'Ingress', verdict: 'WouldDeny',
    src: { ip: '10.244.1.7', namespace: 'frontend', pod: 'web-6c4d9f-abcde' },
    dst: { ip: '10.244.2.9', namespace: 'prod', pod: 'payments-7f9c4d-x2x9z' },
    port: 8080, protocol: 'TCP', reason: REASON, count: 12, state: 'established', ...over,
  };
}

const ROWS = [verdict(1), verdict(2, { direction: 'Egress', dst: { ip: '203.0.113.9' } as StoredVerdict['dst'], port: 443, state: 'attempt', reason: 'AuditNetworkPolicy prod/payments-isolation selects prod/payments-7f9c4d-x2x9z, but no egress rule allows 203.0.113.9 443/TCP' })];
const SHORT = 'selects prod/payments-7f9c4d-x2x9z, but frontend/web-6c4d9f-abcde is not allowed by any ingress rule';

function table(width: number, over: Partial<TableLayout> = {}): string {
  return new TableWriter({ output: 'table', noHeaders: false, width, oneNamespace: false, now: () => NOW, ...over }).write(ROWS);
}

/** The words of the output, so a reason wrapped over lines reads as one sentence. */
const words = (text: string): string => text.replace(/\s+/g, ' ');

describe('verdicts table width', () => {
  it.each([60, 80, 100, 120, 160, 200])('at %i columns no line runs past the width, and every reason is there whole', (width) => {
    const out = table(width);
    expect(out.split('\n').filter((l) => l.length > width)).toEqual([]);
    expect(words(out)).toContain(SHORT);
    expect(words(out)).toContain('but no egress rule allows 203.0.113.9 443/TCP');
  });

  it.each([60, 80, 100, 120])('at %i columns, the flow is there too: source, destination and port', (width) => {
    const out = words(table(width));
    expect(out).toMatch(/frontend\/(web-6c4d9f-abcde|web-6c4d9…|\S*…)/);
    expect(out).toContain('8080/TCP');
  });

  it('at 60 columns each verdict is a short line with its flow and reason in words under it', () => {
    const lines = table(60).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^AGE +POLICY +VERDICT$/);
    expect(lines[1]).toMatch(/^55s +prod\/payments-isolation +WouldDeny$/);
    expect(words(lines.slice(2).join(' '))).toContain('Ingress frontend/web-6c4d9f-abcde -> prod/payments-7f9c4d-x2x9z 8080/TCP, established, count 12');
  });

  it('in a pipe (no width) every row is one line with every value whole, as wide as it takes', () => {
    const lines = table(Infinity).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^55s +prod\/payments-isolation +Ingress +frontend\/web-6c4d9f-abcde +prod\/payments-7f9c4d-x2x9z +8080\/TCP +WouldDeny +established +12 +selects /);
    expect(lines[1]?.endsWith(SHORT)).toBe(true);
  });

  it('--watch: a longer reason arriving later wraps within the width the first rows fixed', () => {
    const w = new TableWriter({ output: 'table', noHeaders: true, width: 200, oneNamespace: true, now: () => NOW });
    w.write([verdict(1, { reason: 'short' })]);
    const later = w.write([verdict(2, { reason: `${REASON} ${REASON}` })]);
    expect(later.split('\n').filter((l) => l.length > 200)).toEqual([]);
    expect(later.split('\n').length).toBeGreaterThan(2);
  });

  it('-o wide keeps every value whole whatever the width', () => {
    const out = new TableWriter({ output: 'wide', noHeaders: false, width: 60, oneNamespace: false, now: () => NOW }).write(ROWS);
    expect(out.trimEnd().split('\n')).toHaveLength(3);
    expect(out).toContain(REASON);
  });
});
