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
    // After a flag that takes one of a few values: those values, never flags or policy names.
    { words: ['verdicts', '--verdict', ''], out: 'WouldDeny\nAllow\n:4\n' },
    { words: ['verdicts', '--verdict', 'W'], out: 'WouldDeny\n:4\n' },
    { words: ['verdicts', '--direction', ''], out: 'Ingress\nEgress\n:4\n' },
    { words: ['verdicts', '--direction=E'], out: '--direction=Egress\n:4\n' },
    { words: ['verdicts', '-o', ''], out: 'table\nwide\njson\nyaml\n:4\n' },
    { words: ['verdicts', '--output', 'w'], out: 'wide\n:4\n' },
    { words: ['describe', '-o', ''], out: 'text\njson\nyaml\n:4\n' },
    { words: ['audit', 'test', '-o', ''], out: 'table\nwide\njson\nyaml\n:4\n' },
    { words: ['audit', 'promote', 'x', '-o', ''], out: 'yaml\njson\nname\n:4\n' },
    { words: ['gen', 'netpol', '--kind', ''], out: 'AuditNetworkPolicy\nNetworkPolicy\n:4\n' },
    // A file name fits: directive 0 lets the shell complete files.
    { words: ['audit', 'test', '-f', ''], out: ':0\n' },
    { words: ['--kubeconfig', ''], out: ':0\n' },
    // Free text: nothing to offer, and no files.
    { words: ['verdicts', '--since', ''], out: ':4\n' },
  ])('$words', async ({ words, out }) => {
    expect(await complete(words)).toBe(out);
  });

  it('offers kubectl\'s spellings of the flags: -n, -A, -w, -o, --no-headers (not yargs\'s --n, --A, --w, --o, --headers)', async () => {
    const long = (await complete(['verdicts', '--'])).split('\n');
    expect(long).toEqual(expect.arrayContaining(['--namespace', '--all-namespaces', '--watch', '--output', '--no-headers', '--verdict', ':4']));
    expect(long.filter((l) => /^--.$/.test(l) || l === '--headers')).toEqual([]);
    expect((await complete(['verdicts', '-'])).split('\n')).toEqual(expect.arrayContaining(['-n', '-A', '-w', '-o']));
  });
});

describe('--get-yargs-completions (the bash and zsh scripts)', () => {
  it('offers the values after a flag that takes one of a few', async () => {
    const io = memoryIO();
    expect(await runCli(['--get-yargs-completions', 'kubectl-kguardian', 'verdicts', '--verdict', ''], io)).toBe(0);
    expect(io.out()).toBe('WouldDeny\nAllow\n');
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
    expect(io.err()).toContain('shell: "fish" is not one of bash, zsh');
  });
});
