/**
 * The TypeScript files an image's build stage compiles, found as tsc finds them but without
 * compiling: the tsconfig's own files and every module they import, transitively.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { REPO } from './helm.js';

/** The repository's files in the program of `tsconfig` (a repository path), npm packages left out. */
export function compiledSources(tsconfig: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(REPO, tsconfig), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error(`${tsconfig}: not a tsconfig`);
  if (parsed.errors.length > 0) throw new Error(`${tsconfig}: ${parsed.errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n')).join('; ')}`);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  return program.getSourceFiles()
    .map((f) => relative(REPO, f.fileName))
    .filter((f) => !f.startsWith('node_modules/') && !f.startsWith('..'))
    .sort();
}

/** `tsconfig` and the files it extends, as repository paths. */
export function tsconfigChain(tsconfig: string): string[] {
  const chain = [tsconfig];
  for (;;) {
    const current = chain.at(-1) ?? tsconfig;
    const { extends: base } = JSON.parse(readFileSync(join(REPO, current), 'utf8')) as { extends?: string };
    if (base === undefined) return chain;
    chain.push(relative(REPO, join(REPO, dirname(current), base)));
  }
}
