// audit promote --apply --verify: the closing line says what was checked, and never gives an
// all-clear when no flow was judged; the whole loop against a broker answering GET /v1/enforcement.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { EnforcementRow } from '../../contracts/enforcement.js';
import { memoryIO } from '../io.js';
import type { NetworkPolicyObject } from './strip.js';
import { closingLine, verifyAfterApply } from './verify-after.js';

describe('closingLine', () => {
  it.each([
    [0, 0, 0, 'verify: no flow was judged against the applied policies in 20s, so nothing was checked: send traffic through them and run kubectl kguardian verify\n'],
    [0, 0, 2, 'verify: 2 flows seen, none conclusive yet in 20s, so nothing was checked: send traffic through them and run kubectl kguardian verify\n'],
    [0, 1, 0, 'verify: no mismatches in 20s: 1 flow judged against the applied policies behaved as predicted (kubectl kguardian verify keeps checking)\n'],
    [0, 3, 1, 'verify: no mismatches in 20s: 3 flows judged against the applied policies behaved as predicted (1 flow not conclusive yet) (kubectl kguardian verify keeps checking)\n'],
    [1, 0, 0, 'verify: 1 mismatched flow in 20s: the policies are not enforced as predicted (kubectl kguardian verify --all lists them)\n'],
    [4, 9, 9, 'verify: 4 mismatched flows in 20s: the policies are not enforced as predicted (kubectl kguardian verify --all lists them)\n'],
  ])('%i mismatched, %i agreeing, %i inconclusive', (mismatched, agrees, inconclusive, line) => {
    expect(closingLine(mismatched, { agrees, inconclusive }, '20s')).toBe(line);
  });
});

const np: NetworkPolicyObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api', namespace: 'shop' }, spec: { podSelector: {} } };

function row(outcome: EnforcementRow['outcome'], port: number): EnforcementRow {
  const end = { namespace: 'shop', pod: 'web', ip: '10.0.0.1' };
  return {
    policy: { uid: 'u1', namespace: 'shop', name: 'api', generation: 1 }, direction: 'Ingress', src: end, dst: { ...end, pod: 'api' },
    port, protocol: 'TCP', predicted: 'Allow', observed: { established: 1, attempt: 0, refused: 0, seen: 1 }, outcome,
    explanation: 'x', firstSeen: '2026-12-03T00:00:00Z', lastSeen: '2026-12-03T00:00:00Z',
  };
}

let server: Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (s) await new Promise<void>((r) => { s.close(() => { r(); }); });
});

async function broker(rows: EnforcementRow[]): Promise<string> {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const mismatchesOnly = url.searchParams.get('mismatches') === 'true';
    const shown = rows.filter((r) => !mismatchesOnly || r.outcome === 'NotEnforced' || r.outcome === 'DroppedElsewhere');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ since: url.searchParams.get('since'), until: '', rows: shown, truncated: false }));
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function verify(rows: EnforcementRow[], env: Record<string, string> = {}): Promise<{ mismatched: number; err: string }> {
  const brokerUrl = await broker(rows);
  const io = { ...memoryIO(), env };
  let t = 0;
  const mismatched = await verifyAfterApply([np], {
    duration: { text: '4s', ms: 4000 },
    broker: { brokerUrl, brokerNamespace: 'kguardian', brokerService: 'kguardian-broker', token: undefined, tokenFile: undefined },
    kc: new KubeConfig(),
    now: () => t,
    sleep: (ms) => { t += ms; return Promise.resolve(); },
  }, io);
  return { mismatched, err: io.err() };
}

describe('verifyAfterApply', () => {
  it('says nothing was checked when the broker judged no flow', async () => {
    const { mismatched, err } = await verify([]);
    expect(mismatched).toBe(0);
    expect(err).toContain('nothing was checked');
    expect(err).not.toContain('no mismatches');
  });

  it('counts the agreeing flows in its all-clear', async () => {
    const { mismatched, err } = await verify([row('Agrees', 80), row('Agrees', 81), row('Inconclusive', 82)]);
    expect(mismatched).toBe(0);
    expect(err).toContain('no mismatches in 4s: 2 flows judged against the applied policies behaved as predicted (1 flow not conclusive yet)');
  });

  it('prints each mismatched flow once and counts them', async () => {
    const { mismatched, err } = await verify([row('Agrees', 80), row('NotEnforced', 81)]);
    expect(mismatched).toBe(1);
    expect(err.match(/NotEnforced shop\/web -> shop\/api:81\/TCP/g)).toHaveLength(1);
    expect(err).toContain('verify: 1 mismatched flow in 4s');
  });

  it('wraps its notes to stderr\'s width, continuation lines indented, and keeps each on one line without a width', async () => {
    const rows = [row('NotEnforced', 81)];
    const wide = (await verify(rows)).err.trimEnd().split('\n');
    const lines = (await verify(rows, { COLUMNS: '60' })).err.trimEnd().split('\n');
    expect(wide).toHaveLength(3);
    expect(lines.length).toBeGreaterThan(wide.length);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(60);
    const starts = lines.filter((l) => !l.startsWith('    '));
    expect(starts).toHaveLength(3);
    for (const s of starts) expect(s.startsWith('verify: ')).toBe(true);
    expect(lines.map((l) => l.trim()).join(' ').split(/\s+/)).toEqual(wide.join(' ').split(/\s+/));
  });
});
