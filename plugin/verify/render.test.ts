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
  return renderVerify(REPORT, 'table', { now: NOW, oneNamespace: false, noHeaders, width, noteWidth: UNLIMITED }).out;
}

function note(noteWidth: number, report: EnforcementReport = REPORT): string {
  return renderVerify(report, 'table', { now: NOW, oneNamespace: false, noHeaders: false, width: UNLIMITED, noteWidth }).note;
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

/** The notes as stderr shows them with no width: one line each, as they were before they wrapped. */
const ONE_LINE_NOTES = [
  'prod/payments-isolation-ingress frontend/web-6c4d9f8b7-abcde -> prod/payments-7f9c4d5b6-x2x9z:8080/TCP: denied but established',
  'prod/payments-isolation-ingress frontend/web-6c4d9f8b7-abcde -> 203.0.113.9:443/TCP: denied but established',
  'Only the most recently seen flows are listed: narrow the window (--since) or the scope.',
  '2 mismatches: 2 flows checked, 0 agree, 1 not enforced, 1 dropped elsewhere, 0 inconclusive.',
];

describe('verify notes on stderr', () => {
  const truncated = { ...REPORT, truncated: true };

  it.each([60, 80, 100])('at %i columns no line runs past the width, each note keeps its words, its continuation lines indented under it', (width) => {
    const lines = note(width, truncated).trimEnd().split('\n');
    expect(lines.filter((l) => l.length > width)).toEqual([]);
    expect(lines.length).toBeGreaterThan(ONE_LINE_NOTES.length);
    // A note starts at the margin, its continuation lines do not: grouped so, the words are the notes'.
    const notes = lines.reduce<string[]>((acc, l) => (l.startsWith(' ') ? [...acc.slice(0, -1), `${acc.at(-1) ?? ''} ${l.trim()}`] : [...acc, l]), []);
    expect(notes).toEqual(ONE_LINE_NOTES);
    expect(lines[1]).toMatch(/^ {4}\S/);
  });

  it('with no width (stderr not a terminal, no $COLUMNS) each note is one line, whole', () => {
    expect(note(UNLIMITED, truncated)).toBe(ONE_LINE_NOTES.map((l) => `${l}\n`).join(''));
  });

  it('a note that fits is one line at any width', () => {
    const clean = { ...REPORT, rows: [row({ outcome: 'Agrees', predicted: 'Allow' })] };
    for (const width of [100, 120, UNLIMITED]) expect(note(width, clean)).toBe('No mismatches: 1 flow checked, 1 agree, 0 not enforced, 0 dropped elsewhere, 0 inconclusive.\n');
  });
});

let server: Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (s) await new Promise<void>((r) => { s.close(() => { r(); }); });
});

/** A broker that answers every request with `report`; its URL. */
async function serve(report: EnforcementReport): Promise<string> {
  const s = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(report));
  });
  server = s;
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

describe('verify on a terminal', () => {
  it('fits the table to the terminal it prints to', async () => {
    const url = await serve(REPORT);
    const io = { ...memoryIO(), columns: 80, now: () => NOW };
    expect(await runCli(['verify', '-A', '--broker-url', url], io)).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
    expect(lines[0]).toMatch(/^POLICY +PREDICTED +OUTCOME +LAST-SEEN$/);
  });

  it.each([
    { title: 'stderr a terminal, stdout a pipe: the notes fit stderr, the rows stay whole', columns: undefined, errColumns: 60, wrapped: true },
    { title: 'stdout a terminal, stderr redirected: the notes stay one line each', columns: 80, errColumns: undefined, wrapped: false },
  ])('$title', async ({ columns, errColumns, wrapped }) => {
    const url = await serve(REPORT);
    const io = { ...memoryIO(), columns, errColumns, now: () => NOW };
    expect(await runCli(['verify', '-A', '--broker-url', url], io)).toBe(0);
    const err = io.err().trimEnd().split('\n');
    if (wrapped) {
      expect(err.filter((l) => l.length > 60)).toEqual([]);
      expect(err.length).toBeGreaterThan(3);
    } else expect(err).toEqual([ONE_LINE_NOTES[0], ONE_LINE_NOTES[1], ONE_LINE_NOTES[3]]);
    expect(io.out().trimEnd().split('\n')).toHaveLength(columns === undefined ? 3 : 7); // one line a row, or each row over its flow
  });

  it('says there is nothing to check in stderr\'s width too', async () => {
    const url = await serve({ ...REPORT, rows: [] });
    const sentence = 'No flows judged against an enforced NetworkPolicy in namespace prod within 1h.';
    const wrapped = { ...memoryIO(), errColumns: 60 };
    expect(await runCli(['verify', '--all', '-n', 'prod', '--broker-url', url], wrapped)).toBe(0);
    expect(wrapped.err()).toBe('No flows judged against an enforced NetworkPolicy in\n    namespace prod within 1h.\n');
    const redirected = memoryIO();
    expect(await runCli(['verify', '--all', '-n', 'prod', '--broker-url', url], redirected)).toBe(0);
    expect(redirected.err()).toBe(`${sentence}\n`);
  });
});
