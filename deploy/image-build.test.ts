// The images' TypeScript build and entry points, run without Docker: each image's daemon compiled
// with the tsconfig its build stage names into a temporary /app of its own, next to a node_modules
// holding only the production packages (what the Dockerfiles' deps stage keeps), then the image's
// CMD started there with no tsx and no dev dependency: it must load every module (none of another
// daemon's is there) and stop at its configuration check, not at a missing module. Every package a
// compiled file imports (also through import(), which a start-up does not reach) must resolve from
// its /app.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTsconfig, parseDockerfile, type Stage } from './testing/dockerfile.js';
import { REPO } from './testing/helm.js';
import { bareImports, compileImage, jsFiles, productionNodeModules } from './testing/image-app.js';

const dockerfiles = ['broker.Dockerfile', 'evaluator.Dockerfile', 'agent.Dockerfile'];
const apps = new Map<string, string>();

const stagesOf = (dockerfile: string): Stage[] => parseDockerfile(readFileSync(join(REPO, 'deploy', 'docker', dockerfile), 'utf8'));

/** The /app made for `dockerfile` in beforeAll. */
function appOf(dockerfile: string): string {
  const app = apps.get(dockerfile);
  if (app === undefined) throw new Error(`no /app made for ${dockerfile}`);
  return app;
}

beforeAll(() => {
  for (const file of dockerfiles) {
    const app = mkdtempSync(join(tmpdir(), 'kg-image-app-'));
    apps.set(file, app);
    compileImage(app, buildTsconfig(stagesOf(file)));
    expect(productionNodeModules(app)).toBeGreaterThan(10);
  }
}, 600_000);

afterAll(() => {
  for (const app of apps.values()) rmSync(app, { recursive: true, force: true });
});

/** The final stage's CMD of an image, as an argv. */
function cmdOf(dockerfile: string): string[] {
  const cmd = stagesOf(dockerfile).at(-1)?.instructions.find((i) => i.keyword === 'CMD')?.args ?? '[]';
  return JSON.parse(cmd) as string[];
}

// Each with a configuration the daemon refuses, so it exits once everything is loaded.
const daemons = [
  { file: 'broker.Dockerfile', env: { PORT: 'not-a-port' }, exit: 2, says: /invalid configuration: .*PORT/ },
  { file: 'evaluator.Dockerfile', env: { PORT: 'not-a-port' }, exit: 2, says: /invalid configuration: .*PORT/ },
  { file: 'agent.Dockerfile', env: {}, exit: 2, says: /kguardian-agent: KG_NODE_NAME must be set/ },
];

describe.each(daemons)('$file CMD, compiled, production dependencies only', ({ file, env, exit, says }) => {
  it('loads every module and stops at its configuration check', () => {
    const [node, ...args] = cmdOf(file);
    expect(node).toBe('node');
    // The image's environment: NODE_ENV=production, nothing from this checkout (no NODE_OPTIONS, no tsx).
    const r = spawnSync(process.execPath, args, { cwd: appOf(file), encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', ...env } });
    const out = `${r.stdout}${r.stderr}`;
    expect(out).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)|ERR_UNKNOWN_FILE_EXTENSION|SyntaxError/);
    expect(out).toMatch(says);
    expect(r.status).toBe(exit);
  }, 60_000);
});

describe.each(dockerfiles)('every package %s\'s compiled code imports', (file) => {
  it('resolves from its /app with production dependencies only (dynamic imports included)', () => {
    const app = appOf(file);
    const specifiers = [...new Set(jsFiles(app).flatMap((f) => bareImports(readFileSync(f, 'utf8'))))].sort();
    expect(specifiers.length).toBeGreaterThan(0);
    const probe = join(app, 'resolve-probe.mjs');
    writeFileSync(probe, 'const missing = [];\nfor (const s of JSON.parse(process.argv[2])) { try { import.meta.resolve(s); } catch { missing.push(s); } }\nconsole.log(JSON.stringify(missing));\n');
    const r = spawnSync(process.execPath, [probe, JSON.stringify(specifiers)], { cwd: app, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});

describe('the packages the three images import', () => {
  it('include the HTTP server and the Kubernetes client', () => {
    const specifiers = new Set(dockerfiles.flatMap((f) => jsFiles(appOf(f))).flatMap((f) => bareImports(readFileSync(f, 'utf8'))));
    expect(specifiers).toContain('hono');
    expect(specifiers).toContain('@kubernetes/client-node');
  });
});
