// Local lint rules that keep the repository's layers true (docs/adr/0007-shared-layer.md):
//   layers/boundaries  a daemon imports no other daemon and no plugin code; the plugin imports no
//                      daemon; contracts/, runtime/ and policy/ import neither; production code
//                      imports no test helper (testing/ folders).
//   layers/no-circle   no import circle among production modules (type-only imports and import()
//                      count: a circle of types is still two modules that cannot be read apart).
// Tests, test helpers and benchmarks may import anything. Paths are repository paths, resolved from
// the import's text, so the rules need no compiler and run in the ordinary lint pass.
import { relative } from 'node:path';
import { circlePath, circles, isTestCode, productionGraph, resolveSpecifier } from './import-graph.js';

/** The layer of a repository path: 'daemons/<name>', or its first folder. */
export function layerOf(path) {
  const parts = path.split('/');
  return parts[0] === 'daemons' && parts.length > 2 ? `daemons/${parts[1]}` : parts[0];
}

const NEUTRAL = new Set(['contracts', 'runtime', 'policy']);

/** Why `from` may not import `to` (repository paths), or undefined when it may. */
export function boundaryProblem(from, to) {
  if (isTestCode(from)) return undefined;
  if (to.split('/').includes('testing')) return `production code must not import a test helper (${to})`;
  const a = layerOf(from);
  const b = layerOf(to);
  if (a === b) return undefined;
  const toDaemon = b.startsWith('daemons/');
  if (a.startsWith('daemons/') && toDaemon) return `${a} must not import another daemon's internals (${to}); shared code goes in contracts/ or runtime/`;
  if ((a.startsWith('daemons/') || NEUTRAL.has(a)) && b === 'plugin') return `${a} must not import the plugin (${to})`;
  if ((a === 'plugin' || NEUTRAL.has(a)) && toDaemon) return `${a} must not import a daemon's internals (${to}); shared code goes in contracts/ or runtime/`;
  return undefined;
}

function sourceNodes(node) {
  if (node.type === 'ImportExpression') return node.source.type === 'Literal' ? [node.source] : [];
  return node.source ? [node.source] : [];
}

/** The same check on every node that names a module: import, export-from, import() and import() types. */
function visitImports(check) {
  return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check, TSImportType: check };
}

function repoPath(context) {
  return relative(context.cwd, context.filename).split('\\').join('/');
}

const boundaries = {
  meta: { type: 'problem', docs: { description: 'imports respect the layers (daemons, plugin, contracts, runtime, policy, testing)' }, schema: [] },
  create(context) {
    const from = repoPath(context);
    const check = (node) => {
      for (const src of sourceNodes(node)) {
        if (typeof src.value !== 'string' || !src.value.startsWith('.')) continue;
        const problem = boundaryProblem(from, resolveSpecifier(from, src.value));
        if (problem !== undefined) context.report({ node: src, message: problem });
      }
    };
    return visitImports(check);
  },
};

// The graph is read once per lint run (per root): every file's rule asks the same question.
const cache = new Map();
function circleIndex(root) {
  let hit = cache.get(root);
  if (hit === undefined) {
    const graph = productionGraph(root);
    const member = new Map();
    for (const c of circles(graph)) {
      const set = new Set(c);
      for (const f of c) member.set(f, set);
    }
    hit = { graph, member };
    cache.set(root, hit);
  }
  return hit;
}

const noCircle = {
  meta: { type: 'problem', docs: { description: 'no import circle among production modules' }, schema: [] },
  create(context) {
    const from = repoPath(context);
    if (isTestCode(from)) return {};
    const { graph, member } = circleIndex(context.cwd);
    const set = member.get(from);
    if (set === undefined) return {};
    const check = (node) => {
      for (const src of sourceNodes(node)) {
        if (typeof src.value !== 'string' || !src.value.startsWith('.')) continue;
        const to = resolveSpecifier(from, src.value);
        if (!set.has(to)) continue;
        const path = circlePath(graph, from, set);
        context.report({ node: src, message: `import circle: ${path.join(' -> ')}` });
      }
    };
    return visitImports(check);
  },
};

export default { meta: { name: 'layers' }, rules: { boundaries, 'no-circle': noCircle } };
