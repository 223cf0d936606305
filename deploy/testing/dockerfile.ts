/**
 * A small Dockerfile reader for the image tests: instructions with continuation lines joined and
 * comments kept apart, grouped into stages. Enough for FROM, COPY, USER and CMD; not a full parser.
 */
export interface Instruction {
  keyword: string;
  args: string;
  /** The comment lines right above the instruction. */
  comment: string[];
}

export interface Stage {
  image: string;
  alias?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let comment: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && line.startsWith('#')) {
      comment.push(line.replace(/^#\s?/, ''));
      continue;
    }
    if (line === '' && pending === '') {
      comment = [];
      continue;
    }
    pending += `${line.replace(/\\$/, '').trim()} `;
    if (line.endsWith('\\')) continue;
    const [keyword = '', ...rest] = pending.trim().split(/\s+/);
    const instruction: Instruction = { keyword: keyword.toUpperCase(), args: rest.join(' '), comment };
    pending = '';
    comment = [];
    if (instruction.keyword === 'FROM') {
      const [image = '', as, alias] = rest;
      stages.push({ image, alias: as?.toUpperCase() === 'AS' ? alias : undefined, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`${instruction.keyword} before the first FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

/** COPY sources taken from the build context (not --from another stage), flags removed. */
export function contextSources(instruction: Instruction): string[] {
  if (instruction.keyword !== 'COPY' || /--from=/.test(instruction.args)) return [];
  const parts = instruction.args.split(/\s+/).filter((p) => !p.startsWith('--'));
  return parts.slice(0, -1);
}

/** The stage named `alias` and the stages it is built FROM, nearest first. */
export function stageChain(stages: Stage[], alias: string): Stage[] {
  const chain: Stage[] = [];
  let stage = stages.find((s) => s.alias === alias);
  while (stage && !chain.includes(stage)) {
    chain.push(stage);
    const base = stage.image;
    stage = stages.find((s) => s.alias === base);
  }
  return chain;
}

/** The tsconfig the build stage compiles with (`RUN npx tsc -p FILE`), as a repository path. */
export function buildTsconfig(stages: Stage[]): string {
  const runs = stageChain(stages, 'build').flatMap((s) => s.instructions).filter((i) => i.keyword === 'RUN');
  const files = runs.flatMap((i) => [...i.args.matchAll(/\bnpx tsc -p (\S+)/g)].map((m) => m[1] ?? ''));
  if (files.length !== 1) throw new Error(`the build stage runs tsc ${files.length} times, not once`);
  return files[0] ?? '';
}
