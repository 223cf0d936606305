/**
 * Where the broker is: --broker-url, else $KGUARDIAN_BROKER_URL, else a port-forward; and the
 * "cannot reach" error names whichever of them gave the address.
 */
import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';
import { brokerClient } from './client.js';
import { openBroker } from './connect.js';
import { directBrokerUrl } from './options.js';
import type { BrokerOptions } from './types.js';

// A port that was just free: connecting to it is refused at once.
let DEAD = '';
beforeAll(async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  DEAD = `http://127.0.0.1:${port}`;
});

describe('directBrokerUrl', () => {
  it.each([
    { flag: 'http://flag:9090', env: 'http://env:9090', want: { url: 'http://flag:9090', origin: 'flag' } },
    { flag: undefined, env: 'http://env:9090/', want: { url: 'http://env:9090', origin: 'env' } },
    { flag: undefined, env: '  https://env.example/broker  ', want: { url: 'https://env.example/broker', origin: 'env' } },
    // Set but empty is unset, as for KUBECONFIG: the port-forward is used.
    { flag: undefined, env: '', want: undefined },
    { flag: undefined, env: undefined, want: undefined },
  ])('flag $flag, env $env', ({ flag, env, want }) => {
    expect(directBrokerUrl(flag, { KGUARDIAN_BROKER_URL: env })).toEqual(want);
  });

  it.each([
    { env: 'localhost:9090', message: 'KGUARDIAN_BROKER_URL: must be an http:// or https:// URL, not localhost:' },
    { env: 'not a url', message: 'KGUARDIAN_BROKER_URL: "not a url" is not a URL (try http://localhost:9090)' },
  ])('refuses KGUARDIAN_BROKER_URL=$env, naming the variable', ({ env, message }) => {
    expect(() => directBrokerUrl(undefined, { KGUARDIAN_BROKER_URL: env })).toThrow(message);
  });
});

describe('openBroker', () => {
  const opts: BrokerOptions = { brokerUrl: undefined, brokerNamespace: 'kguardian', brokerService: 'kguardian-broker', token: 't', tokenFile: undefined };
  const noKube = (): Promise<never> => Promise.reject(new Error('no kubeconfig may be loaded'));

  it('uses KGUARDIAN_BROKER_URL without a port-forward', async () => {
    const io = { ...memoryIO(), env: { KGUARDIAN_BROKER_URL: 'http://broker.test:9090' } };
    const conn = await openBroker(opts, io, noKube);
    expect([conn.baseUrl, conn.origin, conn.token]).toEqual(['http://broker.test:9090', 'env', 't']);
  });

  it('--broker-url wins over KGUARDIAN_BROKER_URL', async () => {
    const io = { ...memoryIO(), env: { KGUARDIAN_BROKER_URL: 'http://env:9090' } };
    const conn = await openBroker({ ...opts, brokerUrl: 'http://flag:9090' }, io, noKube);
    expect([conn.baseUrl, conn.origin]).toEqual(['http://flag:9090', 'flag']);
  });
});

describe('cannot reach the broker', () => {
  it.each([
    { origin: 'env' as const, message: (): string => `cannot reach the broker at ${DEAD} (from KGUARDIAN_BROKER_URL) (ECONNREFUSED). Is the broker running there? Fix or unset KGUARDIAN_BROKER_URL (--broker-url overrides it)` },
    { origin: 'flag' as const, message: (): string => `cannot reach the broker at ${DEAD} (ECONNREFUSED). Is the broker running there? Check --broker-url (it overrides KGUARDIAN_BROKER_URL)` },
    { origin: 'port-forward' as const, message: (): string => 'Try --broker-namespace/--broker-service, or give its URL with --broker-url or KGUARDIAN_BROKER_URL' },
  ])('from $origin: names what to check', async ({ origin, message }) => {
    await expect(brokerClient({ baseUrl: DEAD, token: undefined, origin }).getJson('/audit/verdicts')).rejects.toThrow(message());
  });

  it('`verdicts -A` with only KGUARDIAN_BROKER_URL set says where the URL came from', async () => {
    const io = { ...memoryIO(), env: { KGUARDIAN_BROKER_URL: DEAD, KUBECONFIG: '/nonexistent/kubeconfig' } };
    expect(await runCli(['verdicts', '-A', '--token', 't'], io)).toBe(1);
    expect(io.err()).toBe(`error: cannot reach the broker at ${DEAD} (from KGUARDIAN_BROKER_URL) (ECONNREFUSED). Is the broker running there? Fix or unset KGUARDIAN_BROKER_URL (--broker-url overrides it)\n`);
  });
});
