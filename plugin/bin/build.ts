/**
 * Bundles the plugin with esbuild into dist/: kubectl-kguardian.cjs (everything but the
 * Kubernetes client, one CommonJS file: what a Node single executable needs as its main script)
 * and client-node.cjs (@kubernetes/client-node, loaded on first use by client-node-loader.ts).
 * Run by scripts/build-plugin.sh.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const ROOT = join(import.meta.dirname, '..', '..');
const OUT = join(ROOT, 'dist');
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Every import of the client in the main bundle becomes a lazy load of dist/client-node.cjs. */
const lazyClientNode: Plugin = {
  name: 'lazy-client-node',
  setup(b) {
    b.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: 'client-node', namespace: 'kg-lazy' }));
    b.onLoad({ filter: /.*/, namespace: 'kg-lazy' }, () => ({
      contents: `module.exports = require(${JSON.stringify(join(import.meta.dirname, 'client-node-loader.ts'))}).loadClientNode(__dirname);`,
      loader: 'js',
      resolveDir: import.meta.dirname,
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  legalComments: 'none',
  // The release bundles a git-archive snapshot whose node_modules is a symlink to the checkout's:
  // resolving through it would write the checkout's path into the bundle's module comments, so
  // each clone would build different bytes (and a stale-looking krew manifest).
  preserveSymlinks: true,
  // yargs-parser calls createRequire(import.meta.url), which a CommonJS bundle lacks.
  define: { 'import.meta.url': '__kgImportMetaUrl', KGUARDIAN_VERSION: JSON.stringify(version) },
  banner: { js: "var __kgImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
} as const;

/**
 * Several test files build the bundle at once (vitest runs them in parallel) while others read it:
 * each output is written beside its target and renamed over it, so a reader never sees half a file.
 */
async function buildAtomically(options: BuildOptions): Promise<void> {
  const result = await build({ ...options, write: false });
  mkdirSync(OUT, { recursive: true });
  for (const file of result.outputFiles ?? []) {
    const tmp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
  }
}

await buildAtomically({ ...common, entryPoints: [join(import.meta.dirname, 'entry.ts')], outfile: join(OUT, 'kubectl-kguardian.cjs'), plugins: [lazyClientNode], minifySyntax: true, minifyWhitespace: true });
await buildAtomically({ ...common, stdin: { contents: "module.exports = require('@kubernetes/client-node');", resolveDir: ROOT, loader: 'js' }, outfile: join(OUT, 'client-node.cjs'), minifyWhitespace: true });
process.stdout.write(`built dist/kubectl-kguardian.cjs and dist/client-node.cjs (version ${version})\n`);
