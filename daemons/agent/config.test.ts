import { describe, expect, it } from 'vitest';
import { loadConfig, loaderArgs } from './config.js';

const base = { KG_NODE_NAME: 'node-a', KG_BROKER_URL: 'http://broker:8080' };

describe('kg-loader arguments from the agent configuration', () => {
  it.each([
    { title: 'no Service CIDRs: KG_LOADER_ARGS only', env: { KG_LOADER_ARGS: '--flush-ms,200' }, args: ['--flush-ms', '200'] },
    {
      title: 'one --service-cidr per KG_SERVICE_CIDRS entry, after KG_LOADER_ARGS',
      env: { KG_LOADER_ARGS: '--cgroup=/host/cgroup', KG_SERVICE_CIDRS: '10.96.0.0/12, fd00:10:96::/112' },
      args: ['--cgroup=/host/cgroup', '--service-cidr', '10.96.0.0/12', '--service-cidr', 'fd00:10:96::/112'],
    },
    { title: 'nothing at all', env: {}, args: [] },
  ])('$title', ({ env, args }) => {
    const { config, errors } = loadConfig({ ...base, ...env });
    expect(errors).toEqual([]);
    expect(loaderArgs(config!)).toEqual(args);
  });
});

describe('broker buffer and remote identity settings', () => {
  it.each([
    { env: {}, maxBuffered: 200_000, remoteIdentity: true },
    { env: { KG_MAX_BUFFERED: '5000', KG_REMOTE_IDENTITY: 'false' }, maxBuffered: 5000, remoteIdentity: false },
    { env: { KG_REMOTE_IDENTITY: 'TRUE' }, maxBuffered: 200_000, remoteIdentity: true },
  ])('$env', ({ env, maxBuffered, remoteIdentity }) => {
    const { config, errors } = loadConfig({ ...base, ...env });
    expect(errors).toEqual([]);
    expect(config).toMatchObject({ maxBuffered, remoteIdentity });
  });

  it.each([
    [{ KG_MAX_BUFFERED: '0' }, /KG_MAX_BUFFERED/],
    [{ KG_MAX_BUFFERED: '1e3.5' }, /KG_MAX_BUFFERED/],
    [{ KG_MAX_BUFFERED: 'lots' }, /KG_MAX_BUFFERED/],
    [{ KG_REMOTE_IDENTITY: 'yes' }, /KG_REMOTE_IDENTITY must be true or false/],
  ])('refuses %o', (env, message) => {
    const { config, errors } = loadConfig({ ...base, ...env });
    expect(config).toBeUndefined();
    expect(errors).toEqual([expect.stringMatching(message)]);
  });
});
