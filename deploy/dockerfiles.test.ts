// The images' Dockerfiles, checked without Docker (there is none on this machine, so they are not
// built here): every base image pinned to a full version, the final stage non-root (the agent's
// root is justified in a comment), every file copied from the build context present in the
// repository, and the entry point a file the build stage produces.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextSources, parseDockerfile, type Stage } from './testing/dockerfile.js';
import { REPO } from './testing/helm.js';

interface ImageRow {
  file: string;
  user: string;
  entry: string;
  port: string;
}

const images: ImageRow[] = [
  { file: 'broker.Dockerfile', user: '10001:10001', entry: 'daemons/broker/main.ts', port: '9090' },
  { file: 'evaluator.Dockerfile', user: '10001:10001', entry: 'daemons/evaluator/main.ts', port: '9091' },
  // uid 0: Kubernetes hands the DaemonSet's capabilities to uid 0 only (agent-privileges.kernel.test.ts).
  { file: 'agent.Dockerfile', user: '0:0', entry: 'daemons/agent/main.ts', port: '9102' },
];

const stagesOf = (file: string): Stage[] => parseDockerfile(readFileSync(join(REPO, 'deploy', 'docker', file), 'utf8'));
const last = (stages: Stage[]): Stage => {
  const stage = stages.at(-1);
  if (!stage) throw new Error('no stages');
  return stage;
};

describe.each(images)('$file', (row) => {
  const stages = stagesOf(row.file);

  it('is multi-stage, each stage FROM an image pinned to a full version (or digest) or an earlier stage', () => {
    expect(stages.length).toBeGreaterThan(1);
    const aliases = new Set<string>();
    for (const s of stages) {
      if (!aliases.has(s.image)) expect(s.image).toMatch(/^[a-z0-9./-]+(:[0-9]+\.[0-9]+\.[0-9]+[-a-z0-9.]*|@sha256:[0-9a-f]{64})$/);
      if (s.alias) aliases.add(s.alias);
    }
  });

  it(`runs its final stage as ${row.user}, with a reason where that is root`, () => {
    const users = last(stages).instructions.filter((i) => i.keyword === 'USER');
    expect(users.map((u) => u.args)).toEqual([row.user]);
    if (row.user.startsWith('0')) expect(users[0]?.comment.join(' ')).toMatch(/^root: .*capabilities/);
  });

  it('copies only files that exist in the repository', () => {
    const sources = stages.flatMap((s) => s.instructions.flatMap(contextSources));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(existsSync(join(REPO, source)), source).toBe(true);
  });

  it(`starts ${row.entry} compiled to JavaScript, and exposes ${row.port}`, () => {
    const final = last(stages).instructions;
    const cmd = final.find((i) => i.keyword === 'CMD')?.args ?? '';
    expect(existsSync(join(REPO, row.entry)), row.entry).toBe(true);
    expect(JSON.parse(cmd)).toEqual(['node', '--enable-source-maps', row.entry.replace(/\.ts$/, '.js')]);
    expect(final.find((i) => i.keyword === 'EXPOSE')?.args).toBe(row.port);
  });

  it('installs the npm dependencies once, and only the production ones into the final image', () => {
    const runs = stages.flatMap((s) => s.instructions).filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.filter((r) => /\bnpm (ci|install|i)\b/.test(r))).toEqual(['npm ci --no-audit --no-fund']);
    const installed = stages.find((s) => s.instructions.some((i) => i.keyword === 'RUN' && i.args.startsWith('npm ci')));
    const deps = stages.find((s) => s.alias === 'deps');
    // The deps stage prunes the installed modules to the production ones, as `npm ci --omit=dev` would install them.
    expect(deps?.image).toBe(installed?.alias);
    expect(deps?.instructions.find((i) => i.keyword === 'RUN')?.args).toContain('npm prune --omit=dev');
    expect(last(stages).instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args)).toContain('--from=deps /src/node_modules node_modules');
  });
});

describe('the agent image', () => {
  it('builds kg-loader from bpf/ and carries it where the agent looks for it (KG_LOADER default)', () => {
    const stages = stagesOf('agent.Dockerfile');
    const bpf = stages.find((s) => s.alias === 'bpf');
    expect(bpf?.instructions.some((i) => i.keyword === 'RUN' && /\bmake\b/.test(i.args))).toBe(true);
    const copies = last(stages).instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies).toContain('--from=bpf /src/bpf/build/kg-loader /usr/local/bin/kg-loader');
    expect(readFileSync(join(REPO, 'daemons', 'agent', 'config.ts'), 'utf8')).toContain("'/usr/local/bin/kg-loader'");
  });
});
