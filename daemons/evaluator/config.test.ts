import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SERVICE_ACCOUNT_TOKEN } from './config.js';

const none = (): boolean => false;

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig({}, none)).toEqual({
      host: '0.0.0.0',
      port: 9091,
      authMode: 'kubernetes',
      brokerUrl: undefined,
      brokerTokenFile: undefined,
      window: { text: '1h', ms: 3_600_000 },
      statusIntervalMs: 10_000,
      lease: { namespace: 'kguardian', name: 'kguardian-evaluator', durationMs: 15_000 },
      identity: hostname(),
    });
  });

  it('reads every variable', () => {
    const cfg = loadConfig(
      {
        HOST: '127.0.0.1', PORT: '8081', AUTH_MODE: 'none', BROKER_URL: 'http://broker:9090/', BROKER_TOKEN_FILE: '/tmp/t', WINDOW: '15m',
        STATUS_INTERVAL: '2s', LEASE_NAMESPACE: 'lease-ns', LEASE_NAME: 'lead', LEASE_DURATION: '6s', POD_NAME: 'ev-0', POD_NAMESPACE: 'ignored',
      },
      none,
    );
    expect(cfg).toEqual({
      host: '127.0.0.1',
      port: 8081,
      authMode: 'none',
      brokerUrl: 'http://broker:9090',
      brokerTokenFile: '/tmp/t',
      window: { text: '15m', ms: 900_000 },
      statusIntervalMs: 2000,
      lease: { namespace: 'lease-ns', name: 'lead', durationMs: 6000 },
      identity: 'ev-0',
    });
  });

  it('puts the Lease in POD_NAMESPACE when LEASE_NAMESPACE is unset', () => {
    expect(loadConfig({ POD_NAMESPACE: 'kg-system' }, none).lease.namespace).toBe('kg-system');
  });

  it('uses the ServiceAccount token when it is mounted and BROKER_TOKEN_FILE is unset', () => {
    expect(loadConfig({}, (p) => p === SERVICE_ACCOUNT_TOKEN).brokerTokenFile).toBe(SERVICE_ACCOUNT_TOKEN);
  });

  it.each([
    { env: { HOST: '127.0.0.1:9091' }, variable: 'HOST', message: 'must be an IP address' },
    { env: { HOST: 'http://localhost' }, variable: 'HOST', message: 'must be an IP address' },
    { env: { HOST: '*' }, variable: 'HOST', message: 'must be an IP address' },
    { env: { PORT: 'http' }, variable: 'PORT', message: 'must be an integer' },
    { env: { PORT: '70000' }, variable: 'PORT', message: 'must be an integer' },
    { env: { AUTH_MODE: 'token' }, variable: 'AUTH_MODE', message: 'kubernetes or none' },
    { env: { BROKER_URL: 'broker:9090' }, variable: 'BROKER_URL', message: 'http or https' },
    { env: { BROKER_URL: 'not a url' }, variable: 'BROKER_URL', message: 'must be a URL' },
    { env: { WINDOW: '5x' }, variable: 'WINDOW', message: 'must be a duration such as 15s, 10m, 1h30m or 7d, not "5x"' },
    { env: { WINDOW: '10' }, variable: 'WINDOW', message: 'must be a duration' },
    { env: { WINDOW: '1h 30m' }, variable: 'WINDOW', message: 'must be a duration' },
    { env: { WINDOW: '31d' }, variable: 'WINDOW', message: 'from 60s to 2592000s' },
    // Shorter than a minute: the counts would be all noise.
    { env: { WINDOW: '30s' }, variable: 'WINDOW', message: 'from 60s' },
    { env: { STATUS_INTERVAL: '-5s' }, variable: 'STATUS_INTERVAL', message: 'must be a duration' },
    { env: { LEASE_DURATION: '500ms' }, variable: 'LEASE_DURATION', message: 'from 1s' },
    { env: { LEASE_NAME: 'Has_Caps' }, variable: 'LEASE_NAME', message: 'Kubernetes object name' },
    { env: { POD_NAMESPACE: 'bad/ns' }, variable: 'LEASE_NAMESPACE', message: 'Kubernetes object name' },
  ])('rejects $env naming $variable', ({ env, variable, message }) => {
    let caught: unknown;
    try {
      loadConfig(env, none);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(variable);
    expect((caught as ConfigError).message).toContain(message);
  });
});

// The durations users type elsewhere (runtime/duration.ts): Go syntax, days, decimals, several parts.
describe('durations in the environment', () => {
  it.each([
    { env: { WINDOW: '1h30m' }, window: { text: '1h30m', ms: 5_400_000 } },
    { env: { WINDOW: '90m' }, window: { text: '90m', ms: 5_400_000 } },
    { env: { WINDOW: '1.5h' }, window: { text: '1.5h', ms: 5_400_000 } },
    // The window is written to status.evaluation.window, whose CRD pattern is Go's: no days.
    { env: { WINDOW: '1d' }, window: { text: '24h', ms: 86_400_000 } },
    { env: { WINDOW: '1d12h' }, window: { text: '36h', ms: 129_600_000 } },
    { env: { WINDOW: ' 2h ' }, window: { text: '2h', ms: 7_200_000 } },
  ])('WINDOW=$env.WINDOW is $window.text', ({ env, window }) => {
    expect(loadConfig(env, none).window).toEqual(window);
  });

  it.each([
    { env: { STATUS_INTERVAL: '1.5s' }, interval: 1500, lease: 15_000 },
    { env: { STATUS_INTERVAL: '1m30s', LEASE_DURATION: '0.5m' }, interval: 90_000, lease: 30_000 },
    { env: { LEASE_DURATION: '1500ms' }, interval: 10_000, lease: 1500 },
  ])('$env', ({ env, interval, lease }) => {
    const c = loadConfig(env, none);
    expect([c.statusIntervalMs, c.lease.durationMs]).toEqual([interval, lease]);
  });
});
