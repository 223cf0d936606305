// Each image compiles its own daemon and what that daemon imports, nothing more. The program of the
// tsconfig its build stage runs tsc with (worked out as tsc does, without compiling) holds its entry
// point, no file of another daemon and no test; and the build stage copies from the context no other
// daemon's folder, and every file that program needs at the path it has in the repository, so
// `docker build` finds what the imports name.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compiledSources, tsconfigChain } from './testing/compiled-sources.js';
import { buildTsconfig, contextSources, parseDockerfile, stageChain, type Instruction } from './testing/dockerfile.js';
import { REPO } from './testing/helm.js';

const images = [
  { file: 'broker.Dockerfile', daemon: 'broker' },
  { file: 'evaluator.Dockerfile', daemon: 'evaluator' },
  { file: 'agent.Dockerfile', daemon: 'agent' },
];

const daemonFolders = readdirSync(join(REPO, 'daemons'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

/** Whether `file` is `source` or lies in the folder `source`. */
const within = (file: string, source: string): boolean => file === source || file.startsWith(`${source.replace(/\/$/, '')}/`);

/** The destination of a context COPY, as a repository path: WORKDIR /src is the repository root. */
function destination(copy: Instruction): string {
  const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
  return (parts.at(-1) ?? '').replace(/^\.\/?/, '').replace(/\/$/, '') || '.';
}

describe('the daemons the images are made of', () => {
  it('are the three this test names, each with its own Dockerfile', () => {
    expect(daemonFolders).toEqual(images.map((i) => i.daemon).sort());
  });
});

describe.each(images)('$file', ({ file, daemon }) => {
  const stages = parseDockerfile(readFileSync(join(REPO, 'deploy', 'docker', file), 'utf8'));
  const build = stageChain(stages, 'build');
  const copies = build.flatMap((s) => s.instructions).filter((i) => i.keyword === 'COPY' && !i.args.includes('--from='));
  const copied = copies.flatMap(contextSources);
  const tsconfig = buildTsconfig(stages);
  const sources = compiledSources(tsconfig);
  const others = daemonFolders.filter((d) => d !== daemon);

  it(`compiles daemons/${daemon}/main.ts and what it imports: no other daemon, no test`, () => {
    expect(sources).toContain(`daemons/${daemon}/main.ts`);
    for (const other of others) expect(sources.filter((f) => within(f, `daemons/${other}`)), other).toEqual([]);
    expect(sources.filter((f) => /\.test\.ts$|(^|\/)testing\//.test(f))).toEqual([]);
  });

  it('copies no other daemon\'s folder (nor all of daemons/) into its build stage', () => {
    expect(copied).not.toContain('daemons');
    expect(copied).not.toContain('daemons/');
    for (const other of others) expect(copied.filter((s) => within(s, `daemons/${other}`) || within(`daemons/${other}`, s)), other).toEqual([]);
  });

  it('copies every file it compiles, and its tsconfigs, to the path each has in the repository', () => {
    for (const f of [...sources, ...tsconfigChain(tsconfig)]) expect(copied.some((s) => within(f, s)), f).toBe(true);
    for (const copy of copies) {
      for (const source of contextSources(copy)) expect([source.replace(/\/$/, ''), dirname(source)], copy.args).toContain(destination(copy));
    }
  });
});
