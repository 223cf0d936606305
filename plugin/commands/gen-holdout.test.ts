/**
 * `gen networkpolicy --holdout` when every recorded flow falls in the held-out window: the message
 * says the flows exist but were all held out and suggests a shorter holdout, and the exit code is
 * 4 (nothing was generated), from a flow file and from the broker alike.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredFlow } from '../broker/types.js';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';

const SHOP = 'test/fixtures/gen/shop';
const NOW = Date.now();
const minutesAgo = (m: number): string => new Date(NOW - m * 60_000).toISOString();

/** Two flows of the last two hours, as the broker stores them. */
const RECENT: StoredFlow[] = [120, 10].map((ago, i) => ({
  id: i + 1, bucket: minutesAgo(ago), firstSeen: minutesAgo(ago), lastSeen: minutesAgo(ago - 5),
  src: { ip: '10.244.1.10', port: 40000 + i, kind: 'pod', namespace: 'web', pod: 'frontend-6c4d8-abcde' },
  dst: { ip: '10.244.1.20', port: 8080 + i, kind: 'pod', namespace: 'shop', pod: 'payments-7f9c-aaaaa' },
  protocol: 'TCP', direction: 'Egress', state: 'established', node: 'node-1', count: 3,
}));

/** A broker that answers /v1/flows with the flows last seen within since..until. */
let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const since = Date.parse(q.get('since') ?? '');
    const until = Date.parse(q.get('until') ?? '');
    const flows = RECENT.filter((f) => Date.parse(f.lastSeen) >= since && Date.parse(f.firstSeen) <= until);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ flows, nextCursor: null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO();
  const code = await runCli(['gen', 'networkpolicy', '-A', '--cluster', `${SHOP}/cluster.yaml`, ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('gen networkpolicy --holdout that holds out every flow', () => {
  it('from the broker: the flows exist but all fall in the held-out window; hold out less (exit 4)', async () => {
    const r = await run(['--broker-url', url, '--token', 't', '--since', '7d', '--holdout', '1d']);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^error: --holdout 1d: there are flows \(broker flows since 7d: 2 distinct flows\), but all of them fall in the held-out window \(the last 1d, from \S+\), so nothing is left to learn from and no policy was generated; hold out less, such as --holdout 1h\n$/);
    expect(r.err).not.toContain('no flows');
    expect(r.code).toBe(4);
  });

  it('from a flow file: the same sentence, the window ending at the last flow (exit 4)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kg-holdout-')), 'flows.jsonl');
    writeFileSync(file, '{"src":{"ip":"10.0.0.5"},"dst":{"ip":"10.0.0.1"},"protocol":"TCP","port":80,"firstSeen":"2026-12-01T00:00:00Z","lastSeen":"2026-12-03T00:00:00Z"}\n');
    const r = await run(['--flows', file, '--holdout', '7d']);
    expect(r.err).toMatch(/^error: --holdout 7d: there are flows \(.*flows\.jsonl: 1 distinct flow\), but all of them fall in the held-out window \(the last 7d, from 2026-11-26T00:00:00\.000Z\), .*; hold out less, such as --holdout 1d\n$/);
    expect(r.code).toBe(4);
  });
});

describe('gen networkpolicy --holdout not shorter than --since', () => {
  it.each([
    { args: ['--since', '7d', '--holdout', '8d'], message: '--holdout 8d is not shorter than --since 7d, ' },
    { args: ['--holdout', '7d'], message: '--holdout 7d is not shorter than --since 7d, ' }, // --since's default; as long is refused too
    { args: ['--since', '1h', '--holdout', '90m'], message: '--holdout 90m is not shorter than --since 1h, ' },
  ])('$args is a usage error naming both flags and values (exit 2), refused before the broker is asked', async ({ args, message }) => {
    // An unreachable broker: asking it would be exit 1.
    const r = await run(['--broker-url', 'http://127.0.0.1:1', '--token', 't', ...args]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(`error: ${message}`);
    expect(r.err).toMatch(/, the window it is cut from: nothing would be left to learn from; give a shorter --holdout or a longer --since\nSee 'kubectl kguardian gen networkpolicy --help' for usage\.\n$/);
  });
});
