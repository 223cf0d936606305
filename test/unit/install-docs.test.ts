/**
 * The install commands of the README and docs/install.md are the ones the real-cluster tests run
 * (test/cluster/testing/kguardian.ts installCommands), command by command: the same kubectl and
 * helm arguments, the same rollout targets. The values differ only where the docs say so: the
 * example registry and Service ranges take the cluster's values, and the values the test adds
 * beyond the docs' command are each named, with its reason, in the README's install section.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../playground/paths.js';
import { installCommands } from '../cluster/testing/kguardian.js';

/** The first sh block after `heading`, as commands: continuation lines joined, comments dropped, words unquoted. */
function shBlock(path: string, heading: string): string[][] {
  const text = readFileSync(`${REPO_ROOT}${path}`, 'utf8');
  const from = text.indexOf(`\n${heading}\n`);
  if (from < 0) throw new Error(`${path} has no heading "${heading}"`);
  const block = /```sh\n([\s\S]*?)```/.exec(text.slice(from))?.[1];
  if (block === undefined) throw new Error(`${path}: no sh block after "${heading}"`);
  return block.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => [...l.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? ''));
}

function installSection(): string {
  const readme = readFileSync(`${REPO_ROOT}README.md`, 'utf8');
  const from = readme.indexOf('\n## Install into a cluster\n');
  return readme.slice(from, readme.indexOf('\n## ', from + 1));
}

/** --set KEY=VALUE pairs of a helm command, and the rest of its arguments. */
function splitSets(args: readonly string[]): { rest: string[]; sets: Map<string, string> } {
  const rest: string[] = [];
  const sets = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--set') {
      const kv = args[++i] ?? '';
      sets.set(kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1));
    } else {
      rest.push(a);
    }
  }
  return { rest, sets };
}

const TEST = installCommands({ 'kguardian-broker': 'kguardian.local/kguardian-broker:abc', postgres: 'kguardian.local/postgres:def' }, '/sys/fs/cgroup/unified');
/** The docs' example values, which a user replaces with their own (the test with the cluster's). */
const EXAMPLES = new Set(['image.registry', 'agent.serviceCIDRs']);

describe.each([
  { doc: 'README.md', heading: '## Install into a cluster' },
  { doc: 'docs/install.md', heading: '## Install with Helm' },
])('$doc: the install commands are the real-cluster test\'s', ({ doc, heading }) => {
  const commands = shBlock(doc, heading);

  it('has the test\'s commands in its order, kubectl ones word for word', () => {
    expect(commands.map((c) => c[0])).toEqual(TEST.map((c) => c.tool));
    for (const [i, t] of TEST.entries()) {
      if (t.tool === 'kubectl') expect(commands[i]?.slice(1), `command ${i + 1}`).toEqual(t.args);
    }
  });

  it('installs the same chart, release and namespace, with the test\'s values except the examples, and names every value the test adds', () => {
    const docHelm = splitSets(commands.find((c) => c[0] === 'helm')?.slice(1) ?? []);
    const testHelm = splitSets(TEST.find((c) => c.tool === 'helm')?.args ?? []);
    expect(docHelm.rest).toEqual(testHelm.rest);
    for (const [key, value] of docHelm.sets) {
      expect(testHelm.sets.has(key), `${key} is set by the docs, not by the test`).toBe(true);
      if (!EXAMPLES.has(key)) expect(testHelm.sets.get(key), key).toBe(value);
    }
    expect([...docHelm.sets.keys()].sort()).toEqual([...EXAMPLES].sort());
    const added = [...testHelm.sets.keys()].filter((k) => !docHelm.sets.has(k));
    const section = installSection();
    for (const key of added) expect(section, `the README's install section explains ${key}`).toContain(`\`${key}`);
  });
});
