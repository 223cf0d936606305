/** The layer rules lint runs (scripts/lint/layers.js): which imports cross a boundary, and how circles are found. */
import { describe, expect, it } from 'vitest';
import { circlePath, circles, isTestCode, resolveSpecifier } from '../../scripts/lint/import-graph.js';
import { boundaryProblem, layerOf } from '../../scripts/lint/layers.js';

describe('boundaryProblem', () => {
  it.each([
    { title: 'a daemon imports its own module', from: 'daemons/evaluator/main.ts', to: 'daemons/evaluator/config.ts', ok: true },
    { title: 'a daemon imports the shared layer and the engine', from: 'daemons/evaluator/main.ts', to: 'runtime/logger.ts', ok: true },
    { title: 'contracts', from: 'daemons/agent/batch-shipper.ts', to: 'contracts/flow-batch.ts', ok: true },
    { title: 'the engine', from: 'daemons/broker/evaluation/dispatcher.ts', to: 'policy/types.ts', ok: true },
    { title: 'the plugin imports contracts', from: 'plugin/broker/types.ts', to: 'contracts/broker-api.ts', ok: true },
    { title: 'a daemon imports another daemon', from: 'daemons/evaluator/http/app.ts', to: 'daemons/broker/logger.ts', ok: false },
    { title: 'the plugin imports a daemon', from: 'plugin/ui/proxy.ts', to: 'daemons/broker/ui/contract.ts', ok: false },
    { title: 'the shared layer imports a daemon', from: 'runtime/error-handler.ts', to: 'daemons/broker/store/types.ts', ok: false },
    { title: 'a daemon imports the plugin', from: 'daemons/broker/app.ts', to: 'plugin/io.ts', ok: false },
    { title: 'production imports a test helper', from: 'policy/index.ts', to: 'policy/testing/testkit.ts', ok: false },
    // Tests may start another daemon through its testing/ helpers.
    { title: 'a test imports another daemon', from: 'daemons/evaluator/main.int.test.ts', to: 'daemons/broker/testing/broker-process.ts', ok: true },
    { title: 'a test helper imports a test helper', from: 'plugin/testing/test-cluster.ts', to: 'test/kube/client.ts', ok: true },
    { title: 'a benchmark imports anything', from: 'bench/lib/ui-stack.ts', to: 'daemons/broker/store/types.ts', ok: true },
  ])('$title: allowed $ok', ({ from, to, ok }) => {
    const problem = boundaryProblem(from, to);
    if (ok) expect(problem).toBeUndefined();
    else expect(problem).toMatch(/must not import/);
  });

  it('names the layers by daemon', () => {
    expect([layerOf('daemons/broker/app.ts'), layerOf('daemons/listen-host.ts'), layerOf('plugin/main.ts')]).toEqual(['daemons/broker', 'daemons', 'plugin']);
  });

  it.each([
    { path: 'policy/peer.test.ts', test: true },
    { path: 'daemons/broker/routes/http.contract.ts', test: true },
    { path: 'daemons/evaluator/testing/raw-objects.ts', test: true },
    { path: 'test/kube/client.ts', test: true },
    { path: 'policy/peer.ts', test: false },
  ])('$path is test code: $test', ({ path, test }) => {
    expect(isTestCode(path)).toBe(test);
  });
});

describe('circles', () => {
  const graph = new Map<string, Set<string>>([
    ['a.ts', new Set(['b.ts'])],
    ['b.ts', new Set(['c.ts', 'd.ts'])],
    ['c.ts', new Set(['a.ts'])],
    ['d.ts', new Set(['e.ts'])],
    ['e.ts', new Set()],
    ['x.ts', new Set(['y.ts'])],
    ['y.ts', new Set(['x.ts'])],
  ]);

  it('finds every circle and only circles', () => {
    expect(circles(graph)).toEqual(expect.arrayContaining([['a.ts', 'b.ts', 'c.ts'], ['x.ts', 'y.ts']]));
    expect(circles(graph)).toHaveLength(2);
  });

  it('names a shortest way round from a file back to itself', () => {
    expect(circlePath(graph, 'b.ts', new Set(['a.ts', 'b.ts', 'c.ts']))).toEqual(['b.ts', 'c.ts', 'a.ts', 'b.ts']);
    expect(circlePath(graph, 'x.ts', new Set(['x.ts', 'y.ts']))).toEqual(['x.ts', 'y.ts', 'x.ts']);
  });

  it('resolves an import the way the sources spell it (.js for .ts)', () => {
    expect(resolveSpecifier('daemons/evaluator/http/app.ts', '../../../runtime/logger.js')).toBe('runtime/logger.ts');
  });
});
