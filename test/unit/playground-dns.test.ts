// The playground's DNS pod is a real DNS server: node's own resolver (c-ares), pointed at it alone,
// gets A records for the playground's names and the DNS error codes for anything else; and
// traffic-tool.ts's `serve dns:PORT a:NAME=IP` and `resolve` do the same as separate processes.
import { execFile, spawn } from 'node:child_process';
import type { Socket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer, serveDns, serviceName, zoneFrom } from '../../playground/dns-server.js';
import { REPO_ROOT, TRAFFIC_TOOL } from '../../playground/paths.js';
import { freePort } from '../../playground/ports.js';

const PAYMENTS = serviceName('payments', 'shop');
const zone = zoneFrom([`${PAYMENTS}=10.252.7.3`, `${serviceName('database', 'shop')}=10.252.7.4`]);

describe('playground DNS server, asked by node:dns Resolver', () => {
  let sock: Socket;
  let resolver: Resolver;

  beforeAll(async () => {
    sock = await serveDns(0, zone, '127.0.0.1');
    resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${sock.address().port}`]);
  });
  afterAll(() => {
    sock.close();
  });

  const cases: { title: string; ask: () => Promise<string[]>; want: string[] | RegExp }[] = [
    { title: 'A record of payments', ask: () => resolver.resolve4(PAYMENTS), want: ['10.252.7.3'] },
    { title: 'A record of the database', ask: () => resolver.resolve4('database.shop.svc.cluster.local'), want: ['10.252.7.4'] },
    { title: 'names are case-insensitive', ask: () => resolver.resolve4('PAYMENTS.Shop.svc.cluster.local'), want: ['10.252.7.3'] },
    { title: 'unknown name in the zone: NXDOMAIN', ask: () => resolver.resolve4('nothing.shop.svc.cluster.local'), want: /ENOTFOUND/ },
    { title: 'known name, no AAAA record: NODATA', ask: () => resolver.resolve6(PAYMENTS), want: /ENODATA/ },
    { title: 'outside the zone: REFUSED', ask: () => resolver.resolve4('example.org'), want: /EREFUSED/ },
  ];
  it.each(cases)('$title', async ({ ask, want }) => {
    if (want instanceof RegExp) await expect(ask()).rejects.toThrow(want);
    else expect(await ask()).toEqual(want);
  });

  it('drops what is not a DNS query instead of answering it', () => {
    expect(answer(Buffer.from('query 1'), zone)).toBeUndefined();
  });
});

describe('traffic-tool.ts serve dns: and resolve, as processes', () => {
  it('answers COUNT real lookups with the served address', async () => {
    const port = await freePort();
    const server = spawn(process.execPath, ['--import', 'tsx', TRAFFIC_TOOL, 'serve', `dns:${port}`, `a:${PAYMENTS}=10.252.7.3`], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const first = await new Promise<string>((resolve) => createInterface({ input: server.stdout }).once('line', resolve));
      expect(JSON.parse(first)).toEqual({ listening: 1 });
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', TRAFFIC_TOOL, 'resolve', `127.0.0.1:${port}`, PAYMENTS, '3'], { cwd: REPO_ROOT });
      expect(JSON.parse(stdout)).toEqual({ lookups: 3, answered: 3, addresses: ['10.252.7.3'] });
      const missing = await promisify(execFile)(process.execPath, ['--import', 'tsx', TRAFFIC_TOOL, 'resolve', `127.0.0.1:${port}`, 'nothing.shop.svc.cluster.local', '2'], { cwd: REPO_ROOT });
      expect(JSON.parse(missing.stdout)).toEqual({ lookups: 2, answered: 0, addresses: [] });
    } finally {
      server.kill();
    }
  }, 60_000);
});
