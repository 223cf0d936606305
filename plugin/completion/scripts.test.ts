/** Completion candidates in-process: yargs's answer, filtered and in kubectl's (cobra's) format. */
import { describe, expect, it } from 'vitest';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';
import { cobraCompletions } from './scripts.js';

async function complete(words: string[]): Promise<string> {
  const io = memoryIO();
  expect(await runCli(['__complete', ...words], io)).toBe(0);
  return io.out();
}

describe('__complete (kubectl plugin completion)', () => {
  it.each([
    { words: ['au'], out: 'audit\n:4\n' },
    { words: ['audit', 'pro'], out: 'promote\npromote-cluster\n:4\n' },
    { words: ['audit', 'promote', 'x', '--min'], out: '--min-quiet\n:4\n' },
    { words: ['describe', '--kubec'], out: '--kubeconfig\n:4\n' },
    { words: ['audit', 'promote', 'x', '--outp'], out: '--output\n--output-dir\n:4\n' },
    // Flags exist here but are offered only once a "-" is typed; the name is already given.
    { words: ['audit', 'promote', 'x', ''], out: ':4\n' },
    // Nothing matches: only the directive, so the shell offers no files either.
    { words: ['zz'], out: ':4\n' },
  ])('$words', async ({ words, out }) => {
    expect(await complete(words)).toBe(out);
  });
});

describe('cobraCompletions', () => {
  it('drops zsh descriptions and duplicates', () => {
    expect(cobraCompletions('audit:Test and promote\naudit\ndescribe:Show\n', '')).toBe('audit\ndescribe\n:4\n');
  });
});

describe('completion SHELL', () => {
  it.each([{ shell: 'bash', marker: 'complete -o default -F _kubectl_kguardian_complete kubectl-kguardian' }, { shell: 'zsh', marker: '#compdef kubectl-kguardian' }])(
    'prints the $shell script',
    async ({ shell, marker }) => {
      const io = memoryIO();
      expect(await runCli(['completion', shell], io)).toBe(0);
      expect(io.out()).toContain(marker);
    },
  );

  it('names the valid shells for an unknown one', async () => {
    const io = memoryIO();
    expect(await runCli(['completion', 'fish'], io)).toBe(2);
    expect(io.err()).toContain('Choices: "bash", "zsh"');
  });
});
