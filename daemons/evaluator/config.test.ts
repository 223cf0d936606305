import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDuration, SERVICE_ACCOUNT_TOKEN } from './config.js';

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
    { env: { WINDOW: '1d' }, variable: 'WINDOW', message: 'must be a duration' },
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

describe('parseDuration', () => {
  it.each([
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['250ms', 250],
    ['90s', 90_000],
    ['', undefined],
    ['10', undefined],
    ['5d', undefined],
    ['-1s', undefined],
  ])('%j is %j ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});
