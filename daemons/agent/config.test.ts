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
