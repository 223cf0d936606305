/**
 * The supervisor's own rules with a scripted informer (the real informer against the real API
 * server is exercised in cluster-model.int.test.ts): backoff on errors, sync only after a good
 * list, relist reconciliation, and a throwing handler that is logged, not fatal.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../../runtime/logger.js';
import { ScriptedInformer } from '../../../runtime/testing/scripted-informer.js';
import { KindWatch, type KindSpec } from './kind-watch.js';

/** Never used: the scripted informer replaces everything the KubeConfig would reach. */
type KindWatchKc = ConstructorParameters<typeof KindWatch>[0];

const obj = (name: string, rv: string): KubernetesObject => ({ metadata: { namespace: 'ns', name, resourceVersion: rv } });

function setup(script: { lists: KubernetesObject[][]; failures?: string[]; apply?: (o: KubernetesObject) => void }) {
  const applied: string[] = [];
  const removed: string[] = [];
  const delays: number[] = [];
  const restarts: string[] = [];
  const log = recordingLogger();
  const informers: ScriptedInformer[] = [];
  const spec: KindSpec = {
    kind: 'Pod',
    path: '/api/v1/pods',
    list: () => {
      const items = script.lists.length > 1 ? script.lists.shift()! : script.lists[0]!;
      return Promise.resolve({ items });
    },
    apply: (o) => {
      script.apply?.(o);
      applied.push(`${o.metadata?.name}@${o.metadata?.resourceVersion}`);
    },
    remove: (o) => removed.push(o.metadata?.name ?? ''),
  };
  const failures = script.failures ?? [];
  const watch = new KindWatch({} as KindWatchKc, spec, {
    observer: { event: () => undefined, listed: () => undefined, restarted: (k) => restarts.push(k) },
    logger: log,
    delay: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    makeInformer: (_path, list) => {
      const i = new ScriptedInformer(list, failures);
      informers.push(i);
      return i;
    },
  });
  return { watch, applied, removed, delays, restarts, log, informers };
}

describe('KindWatch', () => {
  it('restarts a failing informer with doubling backoff and syncs after the first good list', async () => {
    const t = setup({ lists: [[obj('a', '1')]], failures: ['connection refused', 'connection refused', 'gone'] });
    await t.watch.start();
    expect(t.delays).toEqual([500, 1000, 2000]);
    expect(t.restarts).toHaveLength(3);
    expect(t.watch.isSynced()).toBe(true);
    expect(t.applied).toEqual(['a@1']);
    expect(t.log.entries.filter((e) => e.level === 'warn').map((e) => e.msg)).toContain('evaluator: Pod watch stopped, restarting in 500 ms');
    await t.watch.stop();
  });

  it('on a relist, removes what vanished and does not deliver unchanged objects again', async () => {
    const t = setup({ lists: [[obj('a', '1'), obj('b', '1')], [obj('b', '1'), obj('c', '1')]] });
    await t.watch.start();
    await t.watch.resync();
    await new Promise((r) => setTimeout(r, 10));
    expect(t.removed).toEqual(['a']);
    expect(t.applied).toEqual(['a@1', 'b@1', 'c@1']);
    await t.watch.stop();
  });

  it('logs and skips an object whose handler throws, and carries on', async () => {
    const t = setup({
      lists: [[obj('bad', '1'), obj('good', '1')]],
      apply: (o) => {
        if (o.metadata?.name === 'bad') throw new Error('boom');
      },
    });
    await t.watch.start();
    expect(t.applied).toEqual(['good@1']);
    expect(t.log.entries.map((e) => e.msg)).toContain('evaluator: failed to apply Pod ns/bad, skipped');
    t.informers[0]!.emit('update', obj('bad', '2'));
    expect(t.watch.isSynced()).toBe(true);
    await t.watch.stop();
  });
});
