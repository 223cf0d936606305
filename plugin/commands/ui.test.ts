/**
 * `ui` before it serves: --port is checked as text (never NaN in a message), a port in use is one
 * sentence naming it and --port, and a broker that cannot be reached is said at the start rather
 * than by a view full of errors.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';
import { startUiProxy } from '../ui/proxy.js';

let busy: Server;
let busyPort = 0;
let dead = '';
beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
  // A port that was just free: connecting to it is refused at once.
  const gone = createServer();
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  dead = `http://127.0.0.1:${(gone.address() as { port: number }).port}`;
  await new Promise((resolve) => gone.close(resolve));
});
afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
});

describe('ui --port', () => {
  it.each(['abc', '0', '65536', '-1', '80.5', ''])('--port %j is refused with the range, never NaN (exit 2)', async (port) => {
    const io = memoryIO();
    expect(await runCli(['ui', '--broker-url', dead, `--port=${port}`], io)).toBe(2);
    expect(io.err()).toContain(`error: --port: ${JSON.stringify(port)} is not a port; give a number from 1 to 65535, or leave --port out for any free port\n`);
    expect(io.err()).not.toContain('NaN');
  });

  it('a port in use: one line naming the port and --port, no "Error" of Node\'s', async () => {
    const e = await startUiProxy({ brokerUrl: dead, token: undefined, session: { namespace: null, context: 'c' }, policies: () => Promise.resolve({ policies: [], notes: [] }), port: busyPort }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toBe(`--port ${busyPort}: 127.0.0.1:${busyPort} is already in use by another program; choose another port with --port, or leave --port out for any free port`);
  });
});

describe('ui and the broker', () => {
  it('a broker that cannot be reached is said at the start, with the next step (exit 1)', async () => {
    const io = memoryIO();
    expect(await runCli(['ui', '-n', 'prod', '--broker-url', dead], io)).toBe(1);
    expect(io.err()).toMatch(new RegExp(`^error: cannot reach the broker at ${dead.replace(/\./g, '\\.')} \\(ECONNREFUSED\\)\\. .*--broker-url`));
    expect(io.out()).toBe('');
  });
});
