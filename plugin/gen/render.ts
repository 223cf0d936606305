/**
 * Generated policies as text, ready for `kubectl apply -f -`: YAML documents separated by `---`,
 * or JSON: the object for a named workload, else a v1 List however many there are (a script
 * reading `-n NS -o json` gets one shape); with --output-dir one file per policy,
 * NAMESPACE.NAME.yaml. Everything else (refusals, warnings, the held-out report) goes to stderr,
 * so stdout stays something kubectl can apply.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { CliError, EXIT } from '../errors.js';
import type { Denial } from './check.js';
import type { Refusal } from './generate.js';
import type { GeneratedPolicy } from './types.js';
import { endLabel } from '../../contracts/flow-end-label.js';

export type GenOutput = 'yaml' | 'json';
export const GEN_OUTPUTS: readonly GenOutput[] = ['yaml', 'json'];

type PolicyText = GeneratedPolicy['object'];

function one(p: PolicyText, format: GenOutput): string {
  return format === 'json' ? JSON.stringify(p, null, 2) + '\n' : yaml.dump(p, { noRefs: true, lineWidth: -1, quotingType: '"', sortKeys: false });
}

export function renderPolicies(policies: readonly GeneratedPolicy[], format: GenOutput, named: boolean): string {
  const objects = policies.map((p) => p.object);
  if (format === 'yaml') return objects.map((o) => one(o, 'yaml')).join('---\n');
  const [only] = objects;
  if (named && objects.length === 1 && only) return one(only, 'json');
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2) + '\n';
}

/** Writes NAMESPACE.NAME.FORMAT per policy (a namespace has no dot, so names cannot collide) and returns the paths. */
export async function writePolicies(dir: string, cwd: string, policies: readonly GeneratedPolicy[], format: GenOutput): Promise<string[]> {
  const root = resolve(cwd, dir);
  try {
    await mkdir(root, { recursive: true });
    const paths: string[] = [];
    for (const { object } of policies) {
      const file = `${object.metadata.namespace}.${object.metadata.name}.${format}`;
      await writeFile(join(root, file), one(object, format));
      paths.push(join(dir, file));
    }
    return paths;
  } catch (e) {
    throw new CliError(`--output-dir ${dir}: ${e instanceof Error ? e.message : String(e)}`, EXIT.failure);
  }
}

export function refusalLines(refused: readonly Refusal[]): string[] {
  return refused.map((r) => `${r.severity}: ${r.workload}: ${r.reason}`);
}

export function denialLine(d: Denial): string {
  const count = d.count > 1 ? ` (${d.count} flows)` : '';
  return `line ${d.line}: ${d.direction} ${endLabel(d.flow.src)} -> ${endLabel(d.flow.dst)} ${d.flow.port}/${d.flow.protocol}${count}: ${d.reason}`;
}

/** The denials, at most `limit` of them, then how many more. */
export function denialLines(denials: readonly Denial[], limit: number): string[] {
  const lines = denials.slice(0, limit).map((d) => `  ${denialLine(d)}`);
  if (denials.length > limit) lines.push(`  ... and ${denials.length - limit} more`);
  return lines;
}
