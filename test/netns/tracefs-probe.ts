/**
 * Run by playground-tracefs.kernel.test.ts inside a private mount namespace: the playground's
 * ensureTracefs and its Cleanup, with what tracefs looked like at each step, as one JSON line.
 */
import { Cleanup } from '../../playground/cleanup.js';
import { ensureTracefs, tracefsMountsAt, tracefsReady } from '../../playground/tracefs.js';

const cleanup = new Cleanup();
const before = { ready: tracefsReady(), mounts: tracefsMountsAt() };
const mounted = await ensureTracefs(cleanup);
const during = { ready: tracefsReady(), mounts: tracefsMountsAt() };
const failed = await cleanup.runAll();
const after = { ready: tracefsReady(), mounts: tracefsMountsAt() };
process.stdout.write(`${JSON.stringify({ before, mounted, during, after, failed })}\n`);
