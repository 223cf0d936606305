// The repository's import graph, read from the sources without compiling them: every relative
// import, export-from and import() of every TypeScript file (type-only imports included, since a
// circle of types is still a circle between modules), resolved to repository paths. The lint
// rules in layers.js use it to name import circles and imports across layers.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/** Folders whose files take part; tests and generated bundles are left out by isProduction. */
export const ROOTS = ['policy', 'contracts', 'runtime', 'daemons', 'plugin', 'crds'];

const SPECIFIERS = [/^\s*(?:import|export)\s[^;]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/gm, /^\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/gm, /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g];

/** Whether a repository path is a test, a test helper or a benchmark (anything may import anything there). */
export function isTestCode(path) {
  const parts = path.split('/');
  return /\.(test|contract|bench)\.ts$/.test(path) || parts.includes('testing') || parts[0] === 'test' || parts[0] === 'bench';
}

/** The repository path a relative specifier in `from` names (`./x.js` is `./x.ts` in the sources). */
export function resolveSpecifier(from, specifier) {
  return normalize(join(dirname(from), specifier)).replace(/\.js$/, '.ts');
}

/** The relative specifiers of one source text. */
export function specifiersOf(source) {
  return SPECIFIERS.flatMap((p) => [...source.matchAll(p)].map((m) => m[1]));
}

function walk(root, dir, out) {
  for (const name of readdirSync(join(root, dir))) {
    if (name === 'node_modules' || name === 'assets') continue;
    const path = dir === '' ? name : `${dir}/${name}`;
    const st = statSync(join(root, path));
    if (st.isDirectory()) walk(root, path, out);
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) out.push(path);
  }
}

/** Production files under ROOTS and what each imports among them: Map<path, Set<path>>. */
export function productionGraph(root) {
  const files = [];
  for (const r of ROOTS) walk(root, r, files);
  const production = new Set(files.filter((f) => !isTestCode(f)));
  const graph = new Map();
  for (const f of production) {
    const targets = new Set(specifiersOf(readFileSync(join(root, f), 'utf8')).map((s) => resolveSpecifier(f, s)).filter((t) => production.has(t)));
    graph.set(f, targets);
  }
  return graph;
}

/** The strongly connected components with more than one file (import circles), each sorted (Tarjan). */
export function circles(graph) {
  let index = 0;
  const stack = [];
  const on = new Set();
  const idx = new Map();
  const low = new Map();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

/** A shortest import path from `from` back to itself inside `members`, as a list of files. */
export function circlePath(graph, from, members) {
  const prev = new Map();
  const queue = [...(graph.get(from) ?? [])].filter((t) => members.has(t)).sort();
  for (const t of queue) prev.set(t, from);
  while (queue.length > 0) {
    const v = queue.shift();
    if (v === from) break;
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!members.has(w) || prev.has(w)) continue;
      prev.set(w, v);
      queue.push(w);
    }
  }
  const path = [from];
  for (let v = prev.get(from); v !== undefined && v !== from; v = prev.get(v)) path.unshift(v);
  path.unshift(from);
  return path;
}


