/**
 * A closed pipe ends the plugin quietly with status 141, through a real pipe and a real child
 * process (`... -o json | true`); describe and verdicts --watch have the same test against a real
 * cluster and broker in their integration files.
 */
import { describe, expect, it } from 'vitest';
import { BROKEN_PIPE_EXIT, exitOnBrokenPipe } from './broken-pipe.js';
import { runWithClosedPipe } from './testing/closed-pipe.js';

const EX = 'test/fixtures/audit-test/payments';
const AUDIT_TEST = ['audit', 'test', '-f', `${EX}/policy.yaml`, '--cluster', `${EX}/cluster.yaml`, '--flows', `${EX}/flows.jsonl`];

describe('a closed pipe', () => {
  it.each([
    { output: 'json' },
    { output: 'yaml' },
    { output: 'table' },
  ])('`audit test -o $output | true` exits 141 with nothing on stderr', async ({ output }) => {
    const r = await runWithClosedPipe([...AUDIT_TEST, '-o', output], { close: 'start' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(BROKEN_PIPE_EXIT);
  }, 60_000);
});

describe('exitOnBrokenPipe', () => {
  it('rethrows write errors other than EPIPE', () => {
    let listener: ((e: Error) => void) | undefined;
    exitOnBrokenPipe({ on: (_e, l) => (listener = l) }, () => {
      throw new Error('must not exit');
    });
    const enospc = Object.assign(new Error('write ENOSPC'), { code: 'ENOSPC' });
    expect(() => listener?.(enospc)).toThrow('write ENOSPC');
  });
});
