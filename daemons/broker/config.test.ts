import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

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
