/**
 * The supervisor's rules with a scripted informer (the real informer against a real API server is
 * exercised by the agent's pod-informer.int.test.ts and the evaluator's cluster-model.int.test.ts):
 * restart with doubling backoff after each failure, a clean start resets it, stop() is prompt even
 * mid-backoff, and a resync starts a fresh informer at once while the replaced one is ignored.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { InformerSupervisor, type InformerSupervisorOptions } from './informer-supervisor.js';
import { ScriptedInformer } from './testing/scripted-informer.js';

const pod = (name: string): KubernetesObject => ({ metadata: { namespace: 'ns', name } });

function setup(failures: string[], extra: Partial<InformerSupervisorOptions<KubernetesObject>> = {}) {
  const waits: number[] = [];
  const reasons: string[] = [];
  const starts: boolean[] = [];
  const informers: ScriptedInformer[] = [];
  let settle: () => void = () => undefined;
  const clean = new Promise<void>((resolve) => (settle = resolve));
  const supervisor = new InformerSupervisor<KubernetesObject>({
    make: () => {
      const i = new ScriptedInformer(() => Promise.resolve({ items: [pod('a')] }), failures);
      informers.push(i);
      return i;
    },
    restarting: (ms, reason) => {
      waits.push(ms);
      reasons.push(String(reason));
    },
    started: (ok) => {
      starts.push(ok);
      if (ok) settle();
    },
    sleep: () => Promise.resolve(),
    ...extra,
  });
  return { supervisor, waits, reasons, starts, informers, clean };
}

/** Lets the supervisor's loop run (it only awaits resolved promises here) until `done`. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setImmediate(resolve));
}

describe('InformerSupervisor', () => {
  it('restarts after each error with doubling backoff, and reports which starts were clean', async () => {
    const t = setup(['connection refused', 'connection refused', 'gone']);
    t.supervisor.start();
    await t.clean;
    expect(t.waits).toEqual([500, 1000, 2000]);
    expect(t.reasons).toEqual(['Error: connection refused', 'Error: connection refused', 'Error: gone']);
    expect(t.starts).toEqual([false, false, false, true]);
    expect(t.informers).toHaveLength(1); // restarted, not replaced
    await t.supervisor.stop();
  });

  it('waits the shortest backoff again after a clean start, and honours its bounds', async () => {
    const failures = ['a', 'b'];
    const t = setup(failures, { initialBackoffMs: 1000, maxBackoffMs: 1500 });
    t.supervisor.start();
    await t.clean;
    expect(t.waits).toEqual([1000, 1500]);
    // The watch later breaks: one failure in a row again, so the shortest wait.
    t.informers[0]!.emit('error', new Error('watch closed'));
    await until(() => t.starts.length === 4);
    expect(t.waits).toEqual([1000, 1500, 1000]);
    expect(t.starts).toEqual([false, false, true, true]);
    await t.supervisor.stop();
  });

  it('stops promptly while waiting out a backoff', async () => {
    let restarting: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => (restarting = resolve));
    const t = setup(['refused'], {
      initialBackoffMs: 3_600_000,
      maxBackoffMs: 3_600_000,
      restarting: () => { restarting(); },
      sleep: undefined, // the real abortable sleep: an hour unless stop() cuts it short
    });
    t.supervisor.start();
    await waiting;
    await t.supervisor.stop(); // without the abort this waits an hour and the test times out
    expect(t.informers[0]!.starts).toBe(1);
    expect(t.informers[0]!.stops).toBe(1);
  });

  it('on resync starts a fresh informer at once and ignores the replaced one', async () => {
    const t = setup([]);
    t.supervisor.start();
    await t.clean;
    const old = t.informers[0]!;
    await t.supervisor.resync();
    await until(() => t.starts.length === 2);
    expect(t.informers).toHaveLength(2);
    expect(old.stops).toBe(1);
    expect(t.informers[1]!.starts).toBe(1);
    expect(t.waits).toEqual([]); // no backoff: a resync is not a failure
    expect(t.supervisor.isCurrent(old)).toBe(false);
    expect(t.supervisor.isCurrent(t.informers[1]!)).toBe(true);
    old.emit('error', new Error('late error of the replaced informer'));
    expect(t.waits).toEqual([]);
    await t.supervisor.stop();
  });
});
