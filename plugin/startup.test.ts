/**
 * `--help` must stay light: running the CLI with a module-load recorder
 * (plugin/testing/record-loads.ts), `--help` of the root, a group and each command must not load
 * js-yaml, @kubernetes/client-node, zod, pg or the policy engine. A control run of `audit test`
 * proves the recorder sees those modules (ES and CommonJS) when they are loaded.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'kg-startup-'));
let runs = 0;

/** Runs the CLI from source under the recorder; returns the loaded modules and stdout. */
async function loadsOf(args: string[]): Promise<{ modules: string[]; stdout: string }> {
  const file = join(dir, `loads-${++runs}.txt`);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--import', './plugin/testing/record-loads.ts', 'plugin/cli.ts', ...args], {
    cwd: REPO,
    env: { ...process.env, KG_RECORD_LOADS: file, KUBECONFIG: '/nonexistent/kubeconfig' },
  });
  return { modules: readFileSync(file, 'utf8').split('\n').filter((l) => l !== ''), stdout };
}

const HEAVY: readonly { name: string; pattern: RegExp }[] = [
  { name: 'js-yaml', pattern: /\/node_modules\/js-yaml\// },
  { name: '@kubernetes/client-node', pattern: /\/node_modules\/@kubernetes\/client-node\/|\/dist\/client-node\.cjs$/ },
  { name: 'zod', pattern: /\/node_modules\/zod\// },
  { name: 'pg', pattern: /\/node_modules\/(pg|pg-[a-z-]+|@electric-sql\/pglite)\// },
  { name: 'the policy engine', pattern: new RegExp(`^(file://)?${REPO}/policy/`) },
];

function heavyIn(modules: readonly string[]): string[] {
  return HEAVY.filter((h) => modules.some((m) => h.pattern.test(m))).map((h) => h.name);
}

describe('start-up cost of --help', () => {
  it('the recorder sees ES and CommonJS modules when a command does load them (control)', async () => {
    const ex = 'test/fixtures/audit-test/payments';
    const r = await loadsOf(['audit', 'test', '-f', `${ex}/policy.yaml`, '--cluster', `${ex}/cluster.yaml`, '--flows', `${ex}/flows.jsonl`, '-o', 'yaml']);
    expect(r.stdout).toContain('summary:');
    expect(heavyIn(r.modules)).toEqual(expect.arrayContaining(['js-yaml', 'zod', 'the policy engine']));
    expect(r.modules.some((m) => m.endsWith('/node_modules/cli-table3/index.js') && !m.startsWith('file:'))).toBe(true);
  });

  it.each([[['--help']], [['audit', '--help']], [['audit', 'test', '--help']], [['audit', 'promote', '--help']], [['verdicts', '--help']], [['describe', '--help']], [['gen', 'networkpolicy', '--help']]])(
    '%j loads none of the heavy modules',
    async (args) => {
      const r = await loadsOf(args);
      expect(r.stdout).toContain('Examples:');
      expect(r.modules.some((m) => m.includes('/node_modules/yargs/'))).toBe(true);
      expect(heavyIn(r.modules)).toEqual([]);
    },
  );
});
