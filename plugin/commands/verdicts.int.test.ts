/**
 * `verdicts` against a real broker process over a real PostgreSQL: golden outputs on seeded
 * verdicts, paging past the broker's page size, and --watch across a broker restart (every row
 * exactly once). The broker runs with AUTH_MODE=none here; auth has its own test.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBroker, type Broker } from '../../daemons/broker/testing/broker-process.js';
import { createTestDatabase, type TestDatabase } from '../../daemons/broker/testing/test-database.js';
import { policyRef, Seeder, type SeedRow } from '../broker/testing/seed.js';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';
import { BROKEN_PIPE_EXIT } from '../broken-pipe.js';
import { runWithClosedPipe } from '../testing/closed-pipe.js';
import { runVerdicts, verdictsRun } from './verdicts.js';

const payments = policyRef('prod', 'payments-isolation');
const shop = policyRef('shop', 'web-lockdown');
const metadata = policyRef('', 'deny-metadata', 'AuditClusterNetworkPolicy');

const GOLDEN_ROWS: SeedRow[] = [
  { srcPod: 'web-1', dst: { namespace: 'prod', pod: 'payments-1', ip: '10.0.2.7', port: 8080 }, second: 5, verdict: { policy: payments, direction: 'Ingress', verdict: 'WouldDeny', reason: 'AuditNetworkPolicy prod/payments-isolation selects prod/payments-1, but frontend/web-1 is not allowed by any ingress rule' } },
  { srcPod: 'api-2', srcNamespace: 'prod', dst: { ip: '203.0.113.9', port: 443 }, state: 'attempt', second: 9, verdict: { policy: payments, direction: 'Egress', verdict: 'WouldDeny', reason: 'no egress rule allows 203.0.113.9:443/TCP' } },
  { srcPod: 'web-3', dst: { namespace: 'prod', pod: 'payments-2', ip: '10.0.2.8', port: 8080 }, second: 14, verdict: { policy: payments, direction: 'Ingress', verdict: 'Allow', reason: 'allowed by ingress rule 0' } },
  { srcPod: 'cart-1', srcNamespace: 'shop', dst: { namespace: 'kube-system', pod: 'coredns-0', ip: '10.0.0.10', port: 53 }, protocol: 'UDP', second: 20, verdict: { policy: shop, direction: 'Egress', verdict: 'WouldDeny', reason: 'no egress rule allows kube-system/coredns-0:53/UDP' } },
  { srcPod: 'batch-7', srcNamespace: 'jobs', dst: { ip: '169.254.169.254', port: 80 }, second: 31, verdict: { policy: metadata, direction: 'Egress', verdict: 'WouldDeny', reason: 'AuditClusterNetworkPolicy deny-metadata denies egress to 169.254.169.254/32' } },
];

let db: TestDatabase;
let seeder: Seeder;
let broker: Broker;

/** A 120-column terminal, at 10:01 on the seed day (ages are measured from there). */
function seedIO(columns = 120): ReturnType<typeof memoryIO> {
  return { ...memoryIO(), env: { COLUMNS: String(columns) }, now: () => new Date(`${seeder.day}T10:01:00Z`) };
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = seedIO();
  const code = await runCli(['verdicts', '--broker-url', broker.url, ...args], io);
  // Golden files hold the seed day as a placeholder: the data is always "yesterday".
  return { code, out: io.out().replaceAll(seeder.day, 'YYYY-MM-DD'), err: io.err() };
}

beforeAll(async () => {
  db = await createTestDatabase(inject('databaseUrl'), 'verdicts_cli');
  seeder = await Seeder.open(db.url);
  expect(await seeder.add(GOLDEN_ROWS)).toBe(GOLDEN_ROWS.length);
  broker = await startBroker({ DATABASE_URL: db.url });
});

afterAll(async () => {
  await broker.kill();
  await seeder.close();
  await db.drop();
});

describe('verdicts on seeded data', () => {
  it.each([
    { name: 'namespace.table', args: ['-n', 'prod'] },
    { name: 'all-wouldDeny.table', args: ['-A', '--verdict', 'WouldDeny'] },
    { name: 'cluster-scoped.table', args: ['--cluster-scoped'] },
    { name: 'namespace.wide', args: ['-n', 'prod', '-o', 'wide'] },
    { name: 'egress-no-headers.table', args: ['-A', '--direction', 'egress', '--verdict', 'WouldDeny', '--no-headers'] },
    { name: 'attempts.table', args: ['-A', '--state', 'attempt'] },
    { name: 'namespace.json', args: ['-n', 'prod', '-o', 'json'] },
    { name: 'namespace.yaml', args: ['-n', 'prod', '-o', 'yaml'] },
  ])('$name matches its golden file', async ({ name, args }) => {
    const r = await cli(...args);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    await expect(r.out).toMatchFileSnapshot(`__golden__/verdicts.${name}.txt`);
  });

  it.each([{ columns: 60 }, { columns: 100 }, { columns: 120 }])('the table fits $columns columns; REASON is never cut (it wraps), nor the JSON', async ({ columns }) => {
    const io = seedIO(columns);
    expect(await runCli(['verdicts', '--broker-url', broker.url, '-A'], io)).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines.filter((l) => l.length > columns)).toEqual([]);
    // REASON does not repeat the policy (POLICY shows it), and every reason is there whole, in words.
    expect(lines.filter((l) => l.includes('AuditNetworkPolicy prod/payments-isolation'))).toEqual([]);
    const words = io.out().replace(/\s+/g, ' ');
    for (const r of GOLDEN_ROWS) expect(words).toContain(r.verdict.reason.replace(/^Audit(Cluster)?NetworkPolicy \S+[:,]? /, ''));
    const json = await cli('-A', '-o', 'json');
    expect((JSON.parse(json.out) as { verdicts: { reason: string }[] }).verdicts.map((v) => v.reason)).toEqual(GOLDEN_ROWS.map((r) => r.verdict.reason));
  });

  it('filters by policy and says so when nothing matches', async () => {
    // One row; its reason may wrap onto indented lines under it.
    expect((await cli('-A', '--policy', 'web-lockdown', '--no-headers')).out.split('\n').filter((l) => /^\S/.test(l))).toHaveLength(1);
    const none = await cli('-n', 'nowhere');
    expect(none).toEqual({ code: 0, out: '', err: 'No verdicts found in nowhere namespace.\n' });
  });

  it('finds the broker through KGUARDIAN_BROKER_URL when --broker-url is not given', async () => {
    const io = { ...memoryIO(), env: { KGUARDIAN_BROKER_URL: broker.url } };
    expect(await runCli(['verdicts', '-n', 'prod', '--no-headers'], io)).toBe(0);
    expect(io.err()).toBe('');
    expect(io.out()).toContain('payments-isolation');
  });

  it('--since keeps only recent verdicts (the seed day is yesterday)', async () => {
    expect((await cli('-A', '--since', '1h')).err).toBe('No verdicts found.\n');
    expect((await cli('-A', '--since', '2d', '-o', 'json')).out).toContain('deny-metadata');
  });
});

describe('generations', () => {
  // An edited policy: generation 1 would deny the flow, the edit (2) allows it. A policy never edited stays at 1.
  const edited = (generation: number): SeedRow['verdict']['policy'] => ({ ...policyRef('gens', 'edited'), generation });
  const untouched = { ...policyRef('gens', 'untouched'), generation: 1 };
  const dst = { namespace: 'gens', pod: 'api-0', ip: '10.0.7.7', port: 8443 };
  beforeAll(async () => {
    const row = (srcPod: string, second: number, verdict: SeedRow['verdict']): SeedRow => ({ srcPod, srcNamespace: 'gens', dst, second, verdict });
    await seeder.add([
      row('before-edit', 200, { policy: edited(1), direction: 'Ingress', verdict: 'WouldDeny', reason: 'no ingress rule allows 8443/TCP' }),
      row('after-edit', 201, { policy: edited(2), direction: 'Ingress', verdict: 'Allow', reason: 'allowed by ingress rule 1' }),
      row('other', 202, { policy: untouched, direction: 'Ingress', verdict: 'WouldDeny', reason: 'no ingress rule allows 8443/TCP' }),
    ]);
  });
  type Row = { policy: { name: string; generation: number }; verdict: string };
  const rows = async (...args: string[]): Promise<string[]> =>
    (JSON.parse((await cli('-n', 'gens', '-o', 'json', ...args)).out) as { verdicts: Row[] }).verdicts.map((v) => `${v.policy.name}@${v.policy.generation}:${v.verdict}`);

  it('shows each policy\'s latest generation by default, whatever the other filters', async () => {
    expect(await rows()).toEqual(['edited@2:Allow', 'untouched@1:WouldDeny']);
    // The edit has no WouldDeny: the policy's old generation does not stand in for it.
    expect(await rows('--verdict', 'WouldDeny')).toEqual(['untouched@1:WouldDeny']);
  });

  it('--all-generations lists the older ones too, and the table shows GEN', async () => {
    expect(await rows('--all-generations')).toEqual(['edited@1:WouldDeny', 'edited@2:Allow', 'untouched@1:WouldDeny']);
    const table = (await cli('-n', 'gens', '--all-generations')).out.split('\n');
    expect(table[0]).toMatch(/^AGE +POLICY +GEN +DIRECTION /);
    expect(table.filter((l) => /^\S+ +edited +1 +Ingress .* WouldDeny /.test(l))).toHaveLength(1);
    expect(table.filter((l) => /^\S+ +edited +2 +Ingress .* Allow /.test(l))).toHaveLength(1);
    // Without it, no GEN column: one generation a policy, nothing to tell apart.
    expect((await cli('-n', 'gens')).out.split('\n')[0]).not.toContain('GEN');
  });
});

describe('paging', () => {
  beforeAll(async () => {
    const bulk: SeedRow[] = Array.from({ length: 1205 }, (_, i) => ({
      srcPod: `bulk-${i}`,
      srcNamespace: 'bulk',
      dst: { namespace: 'bulk', pod: 'sink-0', ip: '10.0.9.9', port: 9000 },
      second: 100 + i,
      verdict: { policy: policyRef('bulk', 'bulk-policy'), direction: 'Ingress', verdict: 'Allow', reason: 'allowed by ingress rule 0' },
    }));
    expect(await seeder.add(bulk)).toBe(1205);
  });

  it.each([
    { limit: 3, expected: 3 },
    { limit: 1100, expected: 1100 }, // two pages: 1000, then 100 from nextBeforeId
    { limit: 5000, expected: 1205 }, // every row, across two pages, then the end
  ])('--limit $limit returns the newest $expected rows, each once, oldest first', async ({ limit, expected }) => {
    type Row = { id: number; observedAt: string };
    const list = async (n: number): Promise<Row[]> => (JSON.parse((await cli('-n', 'bulk', '--limit', String(n), '-o', 'json')).out) as { verdicts: Row[] }).verdicts;
    const got = await list(limit);
    const ids = got.map((v) => v.id);
    expect(ids).toHaveLength(expected);
    expect(new Set(ids).size).toBe(expected);
    // The broker orders by (observedAt, id); the plugin prints that order oldest first.
    const key = (v: Row): string => `${v.observedAt} ${String(v.id).padStart(12, '0')}`;
    expect(got.map(key)).toEqual(got.map(key).sort());
    const all = (await list(5000)).map((v) => v.id);
    expect(ids).toEqual(all.slice(all.length - expected));
  });
});

describe('--watch', () => {
  const watched = policyRef('watch', 'followed');
  let second = 0;
  const rows = (n: number): SeedRow[] =>
    Array.from({ length: n }, () => {
      second += 1;
      return { srcPod: `w-${second}`, srcNamespace: 'watch', dst: { namespace: 'watch', pod: 'db-0', ip: '10.0.7.7', port: 5432 }, second: 5000 + second, verdict: { policy: watched, direction: 'Ingress', verdict: 'WouldDeny', reason: `row ${second}` } };
    });

  async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('prints the existing rows, then follows across a broker restart: every row exactly once', async () => {
    await seeder.add(rows(3));
    const io = memoryIO();
    const abort = new AbortController();
    const run = verdictsRun({ brokerUrl: broker.url, n: 'watch', watch: true, o: 'json', limit: 100, headers: true });
    const watching = runVerdicts(run, io, abort.signal);
    const seen = (): string[] => io.out().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { reason: string }).reason);
    await until('the existing rows', () => seen().length === 3);
    await seeder.add(rows(2));
    await until('rows stored while watching', () => seen().length === 5);

    const port = broker.port;
    await broker.kill();
    await seeder.add(rows(3)); // stored while the broker is down
    broker = await startBroker({ DATABASE_URL: db.url }, port);
    await seeder.add(rows(2));
    await until('every row after the restart', () => seen().length >= 10);
    await new Promise((r) => setTimeout(r, 1500)); // a repeat would arrive within a poll interval
    abort.abort();
    expect(await watching).toBe(0);
    expect(seen()).toEqual(Array.from({ length: 10 }, (_, i) => `row ${i + 1}`));
    expect(io.err()).toMatch(/watch: .*reconnecting in \d\.\d s \(resuming after verdict \d+\)/);
  });

  it('`--watch -o json | head -1` exits quietly (141) when it writes the next row', async () => {
    await seeder.add(rows(1));
    const r = await runWithClosedPipe(['verdicts', '--broker-url', broker.url, '-n', 'watch', '--limit', '1', '--watch', '-o', 'json'], {
      close: 'first-line',
      // The reader is gone: the plugin learns it when the next verdict arrives and is written.
      afterFirstLine: async () => {
        await seeder.add(rows(1));
      },
    });
    expect(JSON.parse(r.firstLine)).toMatchObject({ policy: { name: 'followed' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(BROKEN_PIPE_EXIT);
  });
});
