/**
 * The verify table at a given width: every line fits (names cut with an ellipsis, or each row
 * stacked over its flow in words on a narrow terminal), the outcome is never cut, and in a pipe
 * (no width) every value is whole on one line. The command passes the terminal's width through.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { EnforcementReport, EnforcementRow } from '../../contracts/enforcement.js';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';
import { UNLIMITED } from '../output/width.js';
import { renderVerify } from './render.js';

const NOW = new Date('2026-12-03T12:00:00Z');

function row(over: Partial<EnforcementRow> = {}): EnforcementRow {
  return {
    policy: { uid: 'u1', namespace: 'prod', name: 'payments-isolation-ingress', generation: 1 }, direction: 'Ingress',
    src: { namespace: 'frontend', pod: 'web-6c4d9f8b7-abcde', ip: '10.244.1.7' },
    dst: { namespace: 'prod', pod: 'payments-7f9c4d5b6-x2x9z', ip: '10.244.2.9' },
    port: 8080, protocol: 'TCP', predicted: 'Deny', observed: { established: 3, attempt: 0, refused: 0, seen: 0 }, outcome: 'NotEnforced',
    explanation: 'denied but established', firstSeen: '2026-12-03T11:00:00Z', lastSeen: '2026-12-03T11:55:00Z', ...over,
  };
}

const REPORT: EnforcementReport = {
  since: '2026-12-03T11:00:00Z', until: '2026-12-03T12:00:00Z', truncated: false,
  rows: [row(), row({ direction: 'Egress', dst: { namespace: '', pod: '', ip: '203.0.113.9' }, port: 443, predicted: 'Allow', observed: { established: 0, attempt: 4, refused: 0, seen: 0 }, outcome: 'DroppedElsewhere' })],
};

function table(width: number, noHeaders = false): string {
  return renderVerify(REPORT, 'table', { now: NOW, oneNamespace: false, noHeaders, width }).out;
}

const words = (text: string): string => text.replace(/\s+/g, ' ');

describe('verify table width', () => {
  it.each([60, 80, 100, 120, 140, 160, 200])('at %i columns no line runs past the width, and every outcome is there whole', (width) => {
    const out = table(width);
    expect(out.split('\n').filter((l) => l.length > width)).toEqual([]);
    expect(out).toContain('NotEnforced');
    expect(out).toContain('DroppedElsewhere');
    expect(out).toContain('8080/TCP');
  });

  it('at 160 columns it is one line a row, the names cut with an ellipsis', () => {
    const lines = table(160).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^POLICY +SEEN-AT +SOURCE +DESTINATION +PORT +PREDICTED +CONNECTED +FAILED +OUTCOME +LAST-SEEN$/);
    expect(lines[1]).toMatch(/^prod\/\S*… +destination +frontend\/\S*… +prod\/\S*… +8080\/TCP +Deny +3 +0 +NotEnforced +5m$/);
  });

  it.each([
    { width: 140, policy: /^prod\/payments-isolation-ingress +Deny +NotEnforced +5m$/ }, // names cut to 20 would not fit yet
    { width: 80, policy: /^prod\/payments-isolation-ingress +Deny +NotEnforced +5m$/ },
    { width: 60, policy: /^prod\/payments-\S*… +Deny +NotEnforced +5m$/ }, // only the policy's name gives way
  ])('at $width columns each row is a line of POLICY, PREDICTED, OUTCOME and LAST-SEEN with its flow in words under it', ({ width, policy }) => {
    const lines = table(width).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^POLICY +PREDICTED +OUTCOME +LAST-SEEN$/);
    expect(lines[1]).toMatch(policy);
    expect(words(lines.slice(2).join(' '))).toContain('frontend/web-6c4d9f8b7-abcde -> prod/payments-7f9c4d5b6-x2x9z 8080/TCP seen at the destination: 3 connected, 0 failed');
    expect(words(table(width))).toContain('frontend/web-6c4d9f8b7-abcde -> 203.0.113.9 443/TCP seen at the source: 0 connected, 4 failed');
  });

  it('--no-headers leaves the header line out at any width', () => {
    for (const width of [60, 160, UNLIMITED]) expect(table(width, true)).not.toMatch(/POLICY|OUTCOME/);
  });

  it('in a pipe (no width) every row is one line with every value whole', () => {
    const lines = table(UNLIMITED).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^prod\/payments-isolation-ingress +destination +frontend\/web-6c4d9f8b7-abcde +prod\/payments-7f9c4d5b6-x2x9z +8080\/TCP +Deny +3 +0 +NotEnforced +5m$/);
  });
});

let server: Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (s) await new Promise<void>((r) => { s.close(() => { r(); }); });
});

describe('verify on a terminal', () => {
  it('fits the table to the terminal it prints to', async () => {
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(REPORT));
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const io = { ...memoryIO(), columns: 80, now: () => NOW };
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await runCli(['verify', '-A', '--broker-url', url], io)).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
    expect(lines[0]).toMatch(/^POLICY +PREDICTED +OUTCOME +LAST-SEEN$/);
  });
});
