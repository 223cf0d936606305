/**
 * What an image's final stage holds, made without Docker (there is none here): its daemon compiled
 * with the tsconfig its build stage names, the package.json, and node_modules with exactly
 * the packages `npm ci --omit=dev` keeps (package-lock.json's entries not marked dev), hard-linked
 * from the checkout's node_modules so nothing is downloaded.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO } from './helm.js';

interface LockEntry {
  dev?: boolean;
  link?: boolean;
}

/** Compiles with `tsconfig` (a repository path) as an image's build stage does, into `app` (its /app). */
export function compileImage(app: string, tsconfig: string): void {
  execFileSync(join(REPO, 'node_modules', '.bin', 'tsc'), ['-p', join(REPO, tsconfig), '--outDir', app], { cwd: REPO, stdio: 'pipe' });
  copyFileSync(join(REPO, 'package.json'), join(app, 'package.json'));
}

/** The lock file's node_modules paths, production ones and dev-only ones. */
export function lockPackages(): { production: string[]; dev: string[] } {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const paths = Object.entries(lock.packages).filter(([p, e]) => p.startsWith('node_modules/') && !e.link);
  return { production: paths.filter(([, e]) => !e.dev).map(([p]) => p).sort(), dev: paths.filter(([, e]) => e.dev).map(([p]) => p) };
}

/** node_modules in `app` with the production packages only; returns how many it holds. */
export function productionNodeModules(app: string): number {
  const { production, dev } = lockPackages();
  let n = 0;
  for (const p of production) {
    const from = join(REPO, p);
    const to = join(app, p);
    if (!existsSync(from)) continue; // an optional package for another platform
    n++;
    if (existsSync(to)) continue; // came with its parent
    mkdirSync(dirname(to), { recursive: true });
    execFileSync('cp', ['-al', from, to]);
  }
  // A dev-only package nested in a production one came along with it: not in the image.
  for (const p of dev) rmSync(join(app, p), { recursive: true, force: true });
  return n;
}

/** Every compiled .js file under `dir`. */
export function jsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js') && !f.split('/').includes('node_modules'))
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

/** The package specifiers (not relative, not node:) a compiled file imports, statically or with import(). */
export function bareImports(source: string): string[] {
  // import/export ... from 'x' (tsc may spread one over lines), import 'x', and import('x').
  const patterns = [/^\s*(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm, /^\s*import\s*['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  const found = patterns.flatMap((p) => [...source.matchAll(p)].map((m) => m[1] ?? ''));
  return found.filter((s) => !s.startsWith('.') && !s.startsWith('/') && !s.startsWith('node:'));
}
