/**
 * Helm as the deploy tests use it: the pinned binary that scripts/install.d/22-helm.sh builds
 * (same path as deploy/helm/helm-bin.sh), and the chart rendered with a given set of values and
 * parsed into objects.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

export const REPO = join(import.meta.dirname, '..', '..');
export const CHART = join(REPO, 'deploy', 'helm', 'kguardian');

export function helmBin(): string {
  const version = readFileSync(join(REPO, 'deploy', 'helm', 'helm-version'), 'utf8').trim();
  const cache = process.env.KG_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kguardian');
  const bin = join(cache, 'helm', version, 'helm');
  if (!existsSync(bin)) throw new Error(`Helm ${version} is not installed at ${bin}: run bash scripts/install-deps.sh`);
  return bin;
}

/** Runs a program; never throws on a non-zero exit. */
export function run(file: string, args: readonly string[], cwd = REPO): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, maxBuffer: 32 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`failed to run ${file}: ${error.message}`));
        return;
      }
      resolve({ stdout, stderr, code: typeof error?.code === 'number' ? error.code : 0 });
    });
  });
}

/** Runs helm with the values written to a temporary file (`-f`), so no --set quoting is involved. */
export async function helmWithValues(args: readonly string[], values: object = {}): Promise<RunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'kg-helm-'));
  try {
    const file = join(dir, 'values.yaml');
    await writeFile(file, yaml.dump(values));
    return await run(helmBin(), [...args, '-f', file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function parseObjects(text: string): K8sObject[] {
  return yaml.loadAll(text).filter((d): d is K8sObject => typeof d === 'object' && d !== null);
}

/** `helm template RELEASE` into namespace `namespace`; throws with helm's message on failure. */
export async function renderChart(values: object = {}, namespace = 'kguardian', release = 'kguardian'): Promise<string> {
  const r = await helmWithValues(['template', release, CHART, '--namespace', namespace], values);
  if (r.code !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return r.stdout;
}

export function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the rendered chart`);
  return found;
}
