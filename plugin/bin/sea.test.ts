/**
 * The single executable, built here from a fresh bundle with this machine's node, runs on its
 * own: --help, --version, and a command that needs @kubernetes/client-node (which the binary
 * carries as an asset and compiles on first use). The npm bin runs the same bundle.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSea, ROOT } from './sea.js';

const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function run(file: string, args: string[], cwd = tmpdir()): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // An empty environment but PATH: the binary must not lean on the repository or node_modules.
    execFile(file, args, { cwd, env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
    });
  });
}

describe('the single executable', () => {
  let dir: string;
  let bin: string;

  beforeAll(() => {
    execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'plugin', 'bin', 'build.ts')], { cwd: ROOT, stdio: 'ignore' });
    dir = mkdtempSync(join(tmpdir(), 'kg-sea-test-'));
    bin = join(dir, 'kubectl-kguardian');
    buildSea({ os: 'linux', nodeBinary: process.execPath, out: bin, codeCache: true });
  }, 180_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('--help lists the commands', async () => {
    const r = await run(bin, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kubectl kguardian <command>');
    expect(r.stdout).toMatch(/verdicts\s+Audit verdicts from the broker/);
    expect(r.stdout).toMatch(/audit\s+Test and promote audit policies/);
    expect(r.stderr).toBe('');
  });

  it('--version prints the package version', async () => {
    expect(await run(bin, ['--version'])).toEqual({ code: 0, stdout: `kubectl-kguardian ${version}\n`, stderr: '' });
  });

  it('loads the Kubernetes client from its own asset', async () => {
    // connect() imports the client before it looks at the kubeconfig, so this message proves it loaded.
    const r = await run(bin, ['verdicts', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: "error: --kubeconfig /nonexistent/kubeconfig: no such file\nSee 'kubectl kguardian verdicts --help' for usage.\n" });
  });

  it('a bad flag is exit 2 with the flag named, no stack trace', async () => {
    const r = await run(bin, ['verdicts', '--limit', '0', '--broker-url', 'http://127.0.0.1:1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: --limit 0 is out of range; give the number of rows, from 1 to 1000000\nSee 'kubectl kguardian verdicts --help' for usage.\n");
  });

  it('the npm bin runs the same bundle', async () => {
    expect(await run(process.execPath, [join(ROOT, 'plugin', 'bin', 'kubectl-kguardian.js'), '--version'])).toEqual({ code: 0, stdout: `kubectl-kguardian ${version}\n`, stderr: '' });
  });
});
