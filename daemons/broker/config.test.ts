import { describe, expect, it } from 'vitest';
import { EVALUATE_LIMITS } from '../../contracts/evaluate-limits.js';
import { ConfigError, loadConfig, retentionOf } from './config.js';

describe('broker config: replay settings', () => {
  it('defaults to 10-minute replay buckets, pages of 5000 ids and evaluator calls of 5000 flows', () => {
    expect(loadConfig({})).toMatchObject({ replayBucketMinutes: 10, replayPageSize: 5000, replayBatch: 5000 });
    expect(loadConfig({ REPLAY_BUCKET_MINUTES: '60' }).replayBucketMinutes).toBe(60);
  });

  it('refuses a replay bucket that does not divide a day (it would span two daily partitions)', () => {
    expect(() => loadConfig({ REPLAY_BUCKET_MINUTES: '7' })).toThrow(ConfigError);
    expect(() => loadConfig({ REPLAY_BUCKET_MINUTES: '2880' })).toThrow(/REPLAY_BUCKET_MINUTES/);
  });
});

// A call of more flows than the evaluator takes is refused every time: such a setting stops the broker at start-up.
describe('broker config: flows per evaluator call', () => {
  const max = EVALUATE_LIMITS.maxFlows;
  it.each([
    { variable: 'EVALUATOR_BATCH', value: '10000', want: 10_000 },
    { variable: 'REPLAY_BATCH', value: String(max), want: max },
    { variable: 'REPLAY_BATCH', value: '1', want: 1 },
  ])('takes $variable=$value', ({ variable, value, want }) => {
    expect(loadConfig({ [variable]: value })[variable === 'REPLAY_BATCH' ? 'replayBatch' : 'evaluatorBatch']).toBe(want);
  });

  it.each([
    { variable: 'REPLAY_BATCH', value: String(max + 1), message: `REPLAY_BATCH: must be an integer from 1 to ${max} (the evaluator takes at most that many flows in one request), not "${max + 1}"` },
    { variable: 'REPLAY_BATCH', value: '0', message: `REPLAY_BATCH: must be an integer from 1 to ${max} (the evaluator takes at most that many flows in one request), not "0"` },
    { variable: 'REPLAY_BATCH', value: 'many', message: `REPLAY_BATCH: must be an integer from 1 to ${max} (the evaluator takes at most that many flows in one request), not "many"` },
    { variable: 'EVALUATOR_BATCH', value: '10001', message: 'EVALUATOR_BATCH: must be an integer from 1 to 10000, not "10001"' },
    { variable: 'EVALUATOR_BATCH', value: String(max + 1), message: `EVALUATOR_BATCH: must be an integer from 1 to 10000, not "${max + 1}"` },
  ])('refuses $variable=$value naming it', ({ variable, value, message }) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(new ConfigError(variable, message.slice(variable.length + 2)));
  });
});

describe('broker config: ENFORCEMENT_CHECKS', () => {
  it.each([
    [{}, true],
    [{ ENFORCEMENT_CHECKS: '' }, true],
    [{ ENFORCEMENT_CHECKS: 'on' }, true],
    [{ ENFORCEMENT_CHECKS: 'off' }, false],
  ])('%j keeps checks: %s', (env, expected) => {
    expect(loadConfig(env).enforcementChecks).toBe(expected);
  });

  it('refuses anything but on or off, naming the variable', () => {
    expect(() => loadConfig({ ENFORCEMENT_CHECKS: 'false' })).toThrow(/ENFORCEMENT_CHECKS: must be on or off, not "false"/);
  });
});

describe('broker config: HOST', () => {
  it('listens on every interface by default (a pod must be reachable through its Service)', () => {
    expect(loadConfig({}).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '' }).host).toBe('0.0.0.0');
  });

  it.each(['127.0.0.1', '::1', '::', '10.0.0.7', 'localhost', 'broker.kguardian.svc'])('binds %s as given', (host) => {
    expect(loadConfig({ HOST: host }).host).toBe(host);
  });

  it.each(['127.0.0.1:9090', 'http://127.0.0.1', '*', ' 127.0.0.1', '999.1.1.1.1', '10.0.0.256', 'bad_name', '-lead'])('refuses %j naming HOST', (host) => {
    let caught: unknown;
    try {
      loadConfig({ HOST: host });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe('HOST');
    expect((caught as ConfigError).message).toMatch(/^HOST: must be an IP address .* or a host name, not /);
  });
});

describe('broker config: retention', () => {
  it('keeps flows and verdicts 7 days and batch ids 24 hours by default', () => {
    expect(retentionOf(loadConfig({}))).toEqual({ flowsDays: 7, verdictsDays: 7, batchIdHours: 24 });
  });

  it('sets each window on its own', () => {
    const env = { FLOW_RETENTION_DAYS: '3', VERDICT_RETENTION_DAYS: '30', BATCH_ID_RETENTION_HOURS: '2' };
    expect(retentionOf(loadConfig(env))).toEqual({ flowsDays: 3, verdictsDays: 30, batchIdHours: 2 });
  });

  it.each([
    { variable: 'BATCH_ID_RETENTION_HOURS', value: '0' },
    { variable: 'BATCH_ID_RETENTION_HOURS', value: '1.5' },
    { variable: 'BATCH_ID_RETENTION_HOURS', value: '9000' },
    { variable: 'FLOW_RETENTION_DAYS', value: '0' },
    { variable: 'VERDICT_RETENTION_DAYS', value: 'week' },
  ])('refuses $variable=$value naming it', ({ variable, value }) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^${variable}: must be an integer`));
  });
});

describe('broker config: HTTP timeouts', () => {
  it('gives a client 10 s for its headers and 30 s for its whole request by default', () => {
    expect(loadConfig({})).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 });
    expect(loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '2000', HTTP_REQUEST_TIMEOUT_MS: '5000' })).toMatchObject({ headersTimeoutMs: 2000, requestTimeoutMs: 5000 });
  });

  it.each([
    { env: { HTTP_REQUEST_TIMEOUT_MS: '0' }, variable: 'HTTP_REQUEST_TIMEOUT_MS' }, // 0 would mean no timeout at all
    { env: { HTTP_HEADERS_TIMEOUT_MS: 'soon' }, variable: 'HTTP_HEADERS_TIMEOUT_MS' },
    { env: { HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' }, variable: 'HTTP_HEADERS_TIMEOUT_MS' },
  ])('refuses $env naming $variable', ({ env, variable }) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}: `));
  });
});

describe('broker config: per-policy metrics', () => {
  it('gives 500 policies series of their own over a 60-minute window by default, and takes other bounds', () => {
    expect(loadConfig({})).toMatchObject({ policyMetricsMaxPolicies: 500, policyMetricsWindowMinutes: 60 });
    expect(loadConfig({ POLICY_METRICS_MAX_POLICIES: '0', POLICY_METRICS_WINDOW_MINUTES: '15' })).toMatchObject({ policyMetricsMaxPolicies: 0, policyMetricsWindowMinutes: 15 });
  });

  it.each([
    { variable: 'POLICY_METRICS_MAX_POLICIES', value: '-1' },
    { variable: 'POLICY_METRICS_MAX_POLICIES', value: 'all' },
    { variable: 'POLICY_METRICS_WINDOW_MINUTES', value: '0' },
    { variable: 'POLICY_METRICS_WINDOW_MINUTES', value: '1441' },
  ])('refuses $variable=$value naming it', ({ variable, value }) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^${variable}: must be an integer`));
  });
});
