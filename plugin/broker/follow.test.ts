/** The watch stops when told to, also while it waits to reconnect. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryIO } from '../io.js';
import type { BrokerClient } from './client.js';
import { followVerdicts } from './follow.js';

describe('followVerdicts stop', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('returns as soon as the signal aborts during a reconnect backoff, without waiting it out', async () => {
    vi.useFakeTimers();
    const stop = new AbortController();
    let opened = 0;
    const client: BrokerClient = {
      baseUrl: 'http://b:9090',
      getJson: () => Promise.reject(new Error('not used')),
      open: () => {
        opened++;
        return Promise.reject(new TypeError('terminated'));
      },
    };
    const io = memoryIO();
    let done = false;
    const following = followVerdicts(client, {}, io, () => undefined, { afterId: 0, signal: stop.signal, maxBackoffMs: 3_600_000 }).then(() => { done = true; });
    await vi.advanceTimersByTimeAsync(0);
    expect(io.err()).toContain('reconnecting in 0.5 s');
    expect(done).toBe(false);
    stop.abort();
    // No time passes: the wait ends with the signal.
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    expect(opened).toBe(1);
    await following;
  });
});
